package dev.finetune.registry;

import static dev.finetune.registry.RegistryFixtures.evaluation;
import static dev.finetune.testing.ProblemAssertions.assertProblem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventCodec;
import dev.finetune.events.ModelRejected;
import dev.finetune.events.RuleOutcome;
import dev.finetune.events.Topics;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StoredObject;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.testing.TopicSnapshot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Predict asks any version: by number ({@code ?version=}) or by any alias the model has ({@code ?alias=}), production
 * by default, with the same team rule as ever and problem+json for what does not exist; a package that fails its
 * checksum is never served, promoted or moved to.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class PredictAnyVersionIT {

    @Inject
    ArtifactStore store;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    KafkaCompanion kafka;

    @BeforeEach
    void setUp() {
        kafka = new KafkaCompanion(bootstrapServers);
    }

    @AfterEach
    void tearDown() {
        kafka.close();
    }

    @Test
    void predictAnswersFromTheVersionOrAliasAskedForAnd404ForWhatTheModelDoesNotHave() {
        String model = "any-" + UUID.randomUUID();
        StoredObject[] packages = RegistryFixtures.packages(store);
        send(evaluation(model, packages[0].uri().toString(), packages[0].sha256(), null));
        awaitRecords(Topics.MODELS_PROMOTED, model, 1);
        send(evaluation(model, packages[1].uri().toString(), packages[1].sha256(), null));
        awaitRecords(Topics.MODELS_REJECTED, model, 1);
        // An approver points staging at the rejected v2, audited; production is not set this way.
        String approver = TestTokens.user(FinetuneRealm.APPROVER, FinetuneRealm.TEAM_A);
        setAlias(approver, model, "staging", "{\"version\": 2, \"reason\": \"try v2 on the shadow traffic\"}")
                .then().statusCode(200).body("version", equalTo(2));
        given().auth().oauth2(approver).get("/models/" + model).then().statusCode(200)
                .body("aliases.staging", equalTo(2)).body("aliases.production", equalTo(1));
        given().auth().oauth2(approver).get("/models/" + model + "/audit").then().statusCode(200)
                .body("find { it.alias == 'staging' }.toVersion", equalTo(2))
                .body("find { it.alias == 'staging' }.reason", equalTo("try v2 on the shadow traffic"));
        assertProblem(setAlias(approver, model, "production", "{\"version\": 2, \"reason\": \"r\"}"), 409,
                "production-alias");
        assertProblem(setAlias(approver, model, "Not_An_Alias", "{\"version\": 2, \"reason\": \"r\"}"), 400,
                "invalid-alias");
        assertProblem(setAlias(approver, model, "staging", "{\"version\": 9, \"reason\": \"r\"}"), 404,
                "model-version-not-found");
        assertProblem(setAlias(approver, model, "staging", "{\"version\": 2}"), 400, "missing-reason");
        setAlias(TestTokens.user(FinetuneRealm.PREDICTOR, FinetuneRealm.TEAM_A), model, "staging",
                "{\"version\": 1, \"reason\": \"r\"}").then().statusCode(403);

        predict(model, "").then().statusCode(200).body("model", equalTo(model)).body("version", equalTo(1))
                .body("predictions.size()", equalTo(1));
        predict(model, "?alias=production").then().statusCode(200).body("version", equalTo(1));
        predict(model, "?alias=staging").then().statusCode(200).body("version", equalTo(2));
        predict(model, "?version=2").then().statusCode(200).body("version", equalTo(2));
        predict(model, "?version=1").then().statusCode(200).body("version", equalTo(1));

        assertProblem(predict(model, "?version=7"), 404, "model-version-not-found")
                .body("detail", equalTo("model " + model + " has no version 7"));
        assertProblem(predict(model, "?alias=canary"), 404, "alias-not-found")
                .body("detail", equalTo("model " + model + " has no alias canary"));
        assertProblem(predict(model, "?version=1&alias=staging"), 400, "version-and-alias");
        assertProblem(predict(model, "?version=latest"), 400, "invalid-parameter")
                .body("detail", equalTo("version must be a whole number, was latest"));
        // Another team's predictor is told what it would be told of a model without that version or alias.
        String teamB = TestTokens.user(FinetuneRealm.PREDICTOR, FinetuneRealm.TEAM_B);
        assertProblem(predict(teamB, model, "?version=1"), 404, "model-version-not-found")
                .body("detail", equalTo("model " + model + " has no version 1"));
        assertProblem(predict(teamB, model, "?alias=staging"), 404, "alias-not-found");
        assertProblem(predict(teamB, model, ""), 404, "no-production-version");
    }

    @Test
    void aPackageThatFailsItsChecksumIsRejectedNeverServedAndNeverPromoted() {
        String model = "corrupt-" + UUID.randomUUID();
        StoredObject[] packages = RegistryFixtures.packages(store);
        String wrong = "0".repeat(64);
        send(evaluation(model, packages[0].uri().toString(), wrong, null));

        // Every absolute rule passes; loading it before production moves finds the bytes are not the registered ones.
        ModelRejected rejected = EventCodec.decode(awaitRecords(Topics.MODELS_REJECTED, model, 1).get(0),
                ModelRejected.class);
        assertThat(rejected.rules()).filteredOn(r -> !r.passed()).extracting(RuleOutcome::rule)
                .containsExactly("package-verified");
        assertThat(rejected.rules()).filteredOn(r -> !r.passed()).extracting(RuleOutcome::detail)
                .containsExactly("the package of " + model + " v1 has sha256 " + packages[0].sha256()
                        + ", not the registered " + wrong + "; it is never served");

        assertProblem(predict(model, "?version=1"), 500, "package-unverified").body("model", equalTo(model))
                .body("version", equalTo(1));
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON)
                .body("{\"reason\": \"try it anyway\"}").post("/models/" + model + "/versions/1/promote"),
                409, "package-unverified");
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200)
                .body("aliases", anEmptyMap());
    }

    private static Response setAlias(String token, String model, String alias, String body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body)
                .put("/models/" + model + "/aliases/" + alias);
    }

    private static Response predict(String model, String query) {
        return predict(TestTokens.teamA(), model, query);
    }

    private static Response predict(String token, String model, String query) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body("{\"inputs\": [\"sunny forecast\"]}")
                .post("/models/" + model + "/predict" + query);
    }

    private void send(EvaluationCompleted... events) {
        kafka.produceStrings().fromRecords(Arrays.stream(events)
                .map(e -> new ProducerRecord<>(Topics.EVALUATIONS_COMPLETED, e.modelName(), EventCodec.encode(e)))
                .toList()).awaitCompletion();
    }

    /** Waits until exactly {@code count} records with the model's key are on {@code topic}; their values. */
    private List<String> awaitRecords(String topic, String model, int count) {
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> TopicSnapshot.values(bootstrapServers, topic, model), values -> {
                    assertThat(values).as("records on %s with key %s", topic, model).hasSizeLessThanOrEqualTo(count);
                    return values.size() == count;
                });
    }
}

package dev.finetune.registry;

import static dev.finetune.registry.RegistryFixtures.betterThan;
import static dev.finetune.registry.RegistryFixtures.evaluation;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Topics;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StoredObject;
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
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No gap at promotion: clients predict without pause while production moves back and forth between three versions
 * (by hand, by rollback and by the policy through Kafka), and every answer is 200. A client that hears of a move,
 * from the promote or rollback answer or from the models.promoted record, gets the version it moved to on its very
 * next request: the instance loaded it before the move committed. A move to a version the instance cannot load
 * now is refused and moves nothing.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class PromotionGapIT {

    private static final int CLIENTS = 4;

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
    void clientsPredictingThroughPromotionsAndRollbacksGetOnly200AndTheMovedToVersionAtOnce() throws Exception {
        String model = "gap-" + UUID.randomUUID();
        StoredObject[] packages = RegistryFixtures.packages(store);
        send(evaluation(model, packages[0].uri().toString(), packages[0].sha256(), null));
        awaitRecords(Topics.MODELS_PROMOTED, model, 1);
        // v1 was loaded before production moved to it: the first request after the record is answered by it.
        predictProduction(model).then().statusCode(200).body("version", equalTo(1));
        // v2 and v3: registered, rejected (no comparison with production), so never loaded yet.
        send(evaluation(model, packages[1].uri().toString(), packages[1].sha256(), null),
                evaluation(model, packages[2].uri().toString(), packages[2].sha256(), null));
        awaitRecords(Topics.MODELS_REJECTED, model, 2);

        AtomicBoolean moving = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        Queue<String> refused = new ConcurrentLinkedQueue<>();
        Queue<Integer> versionsSeen = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            clients.execute(() -> {
                while (moving.get()) {
                    Response response = predictProduction(model);
                    answered.incrementAndGet();
                    if (response.statusCode() == 200) {
                        versionsSeen.add(response.jsonPath().getInt("version"));
                    } else {
                        refused.add(response.statusCode() + " " + response.body().asString());
                    }
                }
            });
        }
        try {
            moveAndPredict(model, "promote 2", 2);
            moveAndPredict(model, "promote 3", 3);
            moveAndPredict(model, "rollback", 2);
            moveAndPredict(model, "rollback", 1);
            moveAndPredict(model, "promote 3", 3);
            moveAndPredict(model, "rollback", 1);
            // The policy moves production through Kafka: v4 (v2's package again) compared with v1 and better.
            send(evaluation(model, packages[1].uri().toString(), packages[1].sha256(), betterThan(1)));
            awaitRecords(Topics.MODELS_PROMOTED, model, 8);
            predictProduction(model).then().statusCode(200).body("version", equalTo(4));
        } finally {
            moving.set(false);
            clients.shutdown();
            assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(refused).as("answers other than 200 out of %d", answered.get()).isEmpty();
        assertThat(answered.get()).isGreaterThan(CLIENTS * 7);
        assertThat(versionsSeen).contains(1, 2, 3, 4);
    }

    @Test
    void aMoveToAVersionThatCannotBeLoadedNowIsRefusedAndMovesNothingUntilItCan() {
        String model = "unloadable-" + UUID.randomUUID();
        StoredObject[] packages = RegistryFixtures.packages(store);
        byte[] bytes = store.read(packages[1].uri());
        String key = "models/promotion-gap-it/late-" + UUID.randomUUID() + "/model.zip";
        send(evaluation(model, packages[0].uri().toString(), packages[0].sha256(), null));
        awaitRecords(Topics.MODELS_PROMOTED, model, 1);
        // v2's package is registered before its upload has arrived.
        send(evaluation(model, store.uri(key).toString(), packages[1].sha256(), null));
        awaitRecords(Topics.MODELS_REJECTED, model, 1);

        approver().body("{\"reason\": \"too early\"}").post("/models/" + model + "/versions/2/promote").then()
                .statusCode(503).contentType("application/problem+json").header("Retry-After", "2")
                .body("type", equalTo("https://finetune.dev/problems/package-unavailable"));
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200)
                .body("aliases.production", equalTo(1));
        predictProduction(model).then().statusCode(200).body("version", equalTo(1));

        store.put(key, bytes, "application/zip");
        // Once the failure is older than Retry-After, the next move loads it and goes through.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> approver().body("{\"reason\": \"it is there\"}")
                .post("/models/" + model + "/versions/2/promote").then().statusCode(200).body("version", equalTo(2)));
        predictProduction(model).then().statusCode(200).body("version", equalTo(2));
        awaitRecords(Topics.MODELS_PROMOTED, model, 2);
    }

    /** Moves production by hand and predicts once the move has answered: the version moved to answers. */
    private static void moveAndPredict(String model, String move, int expected) {
        Response answer = move.startsWith("promote")
                ? approver().body("{\"reason\": \"load test\"}")
                        .post("/models/" + model + "/versions/" + move.substring("promote ".length()) + "/promote")
                : approver().body("{\"reason\": \"load test\"}").post("/models/" + model + "/rollback");
        answer.then().statusCode(200).body("version", equalTo(expected));
        predictProduction(model).then().statusCode(200).body("version", equalTo(expected));
    }

    private static io.restassured.specification.RequestSpecification approver() {
        return given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON);
    }

    private static Response predictProduction(String model) {
        return given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON)
                .body("{\"inputs\": [\"sunny forecast\", \"pasta for dinner\"]}").post("/models/" + model + "/predict");
    }

    private void send(EvaluationCompleted... events) {
        kafka.produceStrings().fromRecords(Arrays.stream(events)
                .map(e -> new ProducerRecord<>(Topics.EVALUATIONS_COMPLETED, e.modelName(), EventCodec.encode(e)))
                .toList()).awaitCompletion();
    }

    /** Waits until exactly {@code count} records with the model's key are on {@code topic}. */
    private void awaitRecords(String topic, String model, int count) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            List<?> records = TopicSnapshot.read(bootstrapServers, topic).stream()
                    .filter(r -> model.equals(r.key())).toList();
            assertThat(records).as("records on %s with key %s", topic, model).hasSizeLessThanOrEqualTo(count);
            return records.size() == count;
        });
    }
}

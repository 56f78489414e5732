package dev.finetune.registry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anEmptyMap;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Lineage;
import dev.finetune.events.ModelPromoted;
import dev.finetune.events.ModelRejected;
import dev.finetune.events.RuleOutcome;
import dev.finetune.events.Topics;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.packaging.OnnxExport;
import dev.finetune.ml.tokenizer.TextTokenizer;
import dev.finetune.registry.domain.ModelVersion;
import dev.finetune.registry.domain.Registry;
import dev.finetune.registry.serving.ServedModels;
import dev.finetune.registry.serving.VersionPackage;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.storage.StoredObject;
import dev.finetune.support.inbox.Inbox;
import dev.finetune.support.outbox.OutboxEvent;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.testing.TestTrace;
import dev.finetune.testing.TopicSnapshot;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry through the real broker, S3Proxy and PostgreSQL with real model packages: promotion by
 * policy, rejection with its rules, each announced in the trace of its evaluation's record, one decision per
 * evaluation, a failed evaluation registering nothing, a changed policy deciding the next candidate, promote
 * and rollback with their refusals, and serving that follows production (including a rollback) without
 * failing a request during the swap, 503 until the production version is loaded.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class RegistryIT {

    private static final Map<String, Double> GOOD = Map.of("accuracy", 0.95, "macroF1", 0.94, "ece", 0.05,
            "latencyP95Ms", 12.0);
    /** Fails the default policy's absolute thresholds (min-accuracy 0.6, min-macro-f1 0.5). */
    private static final Map<String, Double> POOR = Map.of("accuracy", 0.4, "macroF1", 0.35, "ece", 0.05,
            "latencyP95Ms", 12.0);
    private static final Map<String, Double> LABEL_F1 = Map.of("food", 0.95, "sports", 0.94, "weather", 0.93);
    /** The group of EvaluationConsumer (application.properties). */
    private static final String CONSUMER_GROUP = "registry-service";
    private static final String DEAD_LETTERS = Topics.deadLetter(Topics.EVALUATIONS_COMPLETED, "registry-service");
    private static final String PROBLEM_JSON = "application/problem+json";
    private static final String PROBLEMS = "https://finetune.dev/problems/";
    private static StoredObject[] packages;

    @Inject
    ArtifactStore store;

    @Inject
    Registry registry;

    @Inject
    Inbox inbox;

    @Inject
    ServedModels served;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    KafkaCompanion kafka;

    @BeforeEach
    void setUp() throws IOException {
        kafka = new KafkaCompanion(bootstrapServers);
        packages = RegistryFixtures.packages(store);
    }

    @AfterEach
    void tearDown() {
        kafka.close();
    }

    @Test
    void aPassingEvaluationPromotesAndServesTheVersionAndAFailingOneIsRejected() {
        String model = "reviews-" + UUID.randomUUID();
        EvaluationCompleted passing = evaluation(model, packages[0], GOOD, null);
        TestTrace passingTrace = TestTrace.random();
        send(passingTrace, passing);

        ConsumerRecord<String, String> promotedRecord = awaitRecords(Topics.MODELS_PROMOTED, model, 1).get(0);
        // The relay sent it later from its own thread, in the trace of the evaluation's record.
        assertThat(TestTrace.traceIdOf(promotedRecord)).isEqualTo(passingTrace.traceId());
        ModelPromoted promoted = EventCodec.decode(promotedRecord.value(), ModelPromoted.class);
        assertThat(promoted.version()).isEqualTo(1);
        assertThat(promoted.previousVersion()).isNull();
        assertThat(promoted.trigger()).isEqualTo(ModelPromoted.Trigger.POLICY);
        assertThat(promoted.packageSha256()).isEqualTo(packages[0].sha256());
        assertThat(promoted.correlationId()).isEqualTo(passing.correlationId());
        assertThat(promoted.rules()).isNotEmpty().allMatch(RuleOutcome::passed);
        // The lineage goes on as it came: the promoted version names the exact splits it was tested on.
        assertThat(promoted.lineage()).isEqualTo(passing.lineage());
        DatasetPrepared.SplitRef test = passing.lineage().splits().get("test");
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200).body("aliases.production", equalTo(1))
                .body("versions[0].lineage.splits.test.uri", equalTo(test.uri()))
                .body("versions[0].lineage.splits.test.sha256", equalTo(test.sha256()))
                .body("versions[0].lineage.splits.train.examples", equalTo(24));
        awaitServed(model, 1);
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"inputs\": [\"the striker scored a goal\", \"rain and wind\"]}")
                .post("/models/" + model + "/predict").then().statusCode(200)
                .body("model", equalTo(model)).body("version", equalTo(1))
                .body("predictions.size()", equalTo(2))
                .body("predictions[0].scores.size()", equalTo(3));

        EvaluationCompleted failing = evaluation(model, packages[1], POOR, new EvaluationCompleted.ChampionComparison(1,
                Map.of("accuracy", -0.55), -0.6, -0.5, 0.0001));
        TestTrace failingTrace = TestTrace.random();
        send(failingTrace, failing);
        ConsumerRecord<String, String> rejectedRecord = awaitRecords(Topics.MODELS_REJECTED, model, 1).get(0);
        assertThat(TestTrace.traceIdOf(rejectedRecord)).isEqualTo(failingTrace.traceId());
        ModelRejected rejected = EventCodec.decode(rejectedRecord.value(), ModelRejected.class);
        assertThat(rejected.version()).isEqualTo(2);
        assertThat(rejected.lineage()).isEqualTo(failing.lineage());
        assertThat(rejected.failedRules()).extracting(RuleOutcome::rule)
                .contains("min-accuracy", "min-macro-f1", "min-improvement", "significant-improvement");
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200)
                .body("aliases.production", equalTo(1))
                .body("versions[1].status", equalTo("rejected"));
        // The rejection did not announce a promotion as well.
        awaitAnnounced(model);
        assertThat(records(Topics.MODELS_PROMOTED, model)).hasSize(1);
    }

    @Test
    void aVersionDownloadsAsAnOnnxExportThatScoresLikeTheServedModel() throws Exception {
        String model = "exported-" + UUID.randomUUID();
        send(evaluation(model, packages[0], GOOD, null));
        awaitRecords(Topics.MODELS_PROMOTED, model, 1);
        String path = "/models/" + model + "/versions/1/export";

        byte[] zip = given().auth().oauth2(TestTokens.teamA()).get(path).then().statusCode(200)
                .contentType(OnnxExport.CONTENT_TYPE)
                .header("Content-Disposition", equalTo("attachment; filename=\"" + model + "-v1.onnx.zip\""))
                .extract().asByteArray();
        Map<String, byte[]> bundle = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                bundle.put(e.getName(), in.readAllBytes());
            }
        }
        assertThat(bundle).containsOnlyKeys(OnnxExport.MODEL, OnnxExport.TOKENIZER, OnnxExport.LABELS, OnnxExport.MODEL_CARD);
        assertThat(dev.finetune.registry.domain.Json.read(new String(bundle.get(OnnxExport.LABELS), StandardCharsets.UTF_8),
                String[].class)).containsExactlyElementsOf(RegistryFixtures.LABELS);
        JsonNode card = dev.finetune.registry.domain.Json.read(new String(bundle.get(OnnxExport.MODEL_CARD),
                StandardCharsets.UTF_8), JsonNode.class);
        assertThat(card.get("model").asText()).isEqualTo(model);
        assertThat(card.get("version").asInt()).isEqualTo(1);
        assertThat(card.get("baseModel").asText()).isEqualTo(BaseModel.MINILM_NAME);
        assertThat(card.get("testMetrics").get("accuracy").asDouble()).isEqualTo(0.95);
        assertThat(card.get("hyperparameters").get("strategy").asText()).isEqualTo("HEAD");

        // Stored beside the package, and the next download is that stored object.
        String packageKey = packages[0].uri().key();
        ObjectUri stored = store.uri(packageKey.substring(0, packageKey.length() - ".zip".length()) + ".onnx/" + model
                + "-v1.onnx.zip");
        assertThat(store.read(stored)).isEqualTo(zip);
        assertThat(given().auth().oauth2(TestTokens.teamA()).get(path).then().statusCode(200).extract().asByteArray())
                .isEqualTo(zip);

        // ONNX Runtime scores it like the served version: the same probabilities within 1e-4.
        List<String> texts = List.of("the striker scored a goal for the team", "rain", "a recipe for a soup for dinner");
        awaitServed(model, 1);
        JsonNode served = dev.finetune.registry.domain.Json.read(predict(model, dev.finetune.registry.domain.Json.write(
                Map.of("inputs", texts))).statusCode(200).extract().asString(), JsonNode.class);
        List<long[]> ids;
        try (TextTokenizer tokenizer = TextTokenizer.fromJson(bundle.get(OnnxExport.TOKENIZER),
                card.get("maxLength").asInt())) {
            ids = tokenizer.encode(texts);
        }
        int longest = ids.stream().mapToInt(a -> a.length).max().orElseThrow();
        long[][] inputIds = new long[texts.size()][longest];
        long[][] mask = new long[texts.size()][longest];
        for (int i = 0; i < texts.size(); i++) {
            System.arraycopy(ids.get(i), 0, inputIds[i], 0, ids.get(i).length);
            Arrays.fill(mask[i], 0, ids.get(i).length, 1);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(bundle.get(OnnxExport.MODEL), new OrtSession.SessionOptions());
                OnnxTensor a = OnnxTensor.createTensor(env, inputIds);
                OnnxTensor b = OnnxTensor.createTensor(env, mask);
                OnnxTensor c = OnnxTensor.createTensor(env, new long[texts.size()][longest]);
                OrtSession.Result result = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
            float[][] probabilities = (float[][]) result.get("probabilities").orElseThrow().getValue();
            assertThat(probabilities).hasNumberOfRows(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                assertThat(probabilities[i]).hasSize(RegistryFixtures.LABELS.size());
                for (int k = 0; k < RegistryFixtures.LABELS.size(); k++) {
                    double expected = served.get("predictions").get(i).get("scores").get(RegistryFixtures.LABELS.get(k)).asDouble();
                    assertThat((double) probabilities[i][k]).as("text %d, label %s", i, RegistryFixtures.LABELS.get(k))
                            .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
                }
            }
        }
    }

    @Test
    void anExportOfAnUnknownOrHiddenVersionIsAProblemJson404() {
        String model = "export-missing-" + UUID.randomUUID();
        send(evaluation(model, packages[0], POOR, null));
        awaitRecords(Topics.MODELS_REJECTED, model, 1);
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model + "/versions/7/export").then().statusCode(404)
                .contentType(PROBLEM_JSON).body("type", equalTo(PROBLEMS + "model-version-not-found"));
        given().auth().oauth2(TestTokens.teamA()).get("/models/no-such-" + model + "/versions/1/export").then()
                .statusCode(404).contentType(PROBLEM_JSON).body("type", equalTo(PROBLEMS + "model-version-not-found"));
        given().auth().oauth2(TestTokens.user(FinetuneRealm.READER, FinetuneRealm.TEAM_B))
                .get("/models/" + model + "/versions/1/export").then().statusCode(404).contentType(PROBLEM_JSON);
        given().get("/models/" + model + "/versions/1/export").then().statusCode(401);
    }

    @Test
    void aDuplicateDeliveryIsDecidedOnceAndAnnouncedOnce() {
        String model = "dup-" + UUID.randomUUID();
        EvaluationCompleted evaluation = evaluation(model, packages[0], GOOD, null);
        // the same event twice, and the same evaluation re-published with a new event id
        EvaluationCompleted republished = new EvaluationCompleted(EventMeta.next("evaluation-service",
                evaluation.correlationId()), evaluation.evaluationId(), evaluation.status(), null, model,
                evaluation.lineage(), evaluation.metrics(), evaluation.perLabelF1(), null, evaluation.reportUri());
        send(evaluation, evaluation, republished);

        // All three records processed (the consumer group committed past them) and every event the decisions
        // wrote has reached the broker: from here on the topics and the tables are final for this model.
        awaitConsumed();
        awaitAnnounced(model);

        // A duplicate decided again would be v2, rejected ("champion-current": v1 is production by then), so
        // it would land on models.rejected; one that failed half-way would be dead-lettered.
        assertThat(TopicSnapshot.values(bootstrapServers, Topics.MODELS_PROMOTED, model)).as("models.promoted for %s",
                model).hasSize(1);
        assertThat(TopicSnapshot.values(bootstrapServers, Topics.MODELS_REJECTED, model)).as("models.rejected for %s",
                model).isEmpty();
        assertThat(deadLetterReasons(model)).as("%s for %s", DEAD_LETTERS, model).isEmpty();
        assertThat(registry.versions(model)).as("versions of %s", model)
                .extracting(v -> v.version, v -> v.evaluationId, v -> v.status)
                .containsExactly(tuple(1, evaluation.evaluationId(),
                        ModelVersion.Status.PROMOTED));
        assertThat(registry.audit(model)).as("alias moves of %s", model).hasSize(1);
        assertThat(outbox(model)).as("outbox rows of %s", model).hasSize(1);
        // Both events were accepted (in the inbox), neither was lost nor left half-done.
        assertThat(inbox.seen(evaluation.eventId())).as("first event in the inbox").isTrue();
        assertThat(inbox.seen(republished.eventId())).as("republished event in the inbox").isTrue();
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200).body("versions.size()", equalTo(1));
    }

    @Test
    void aFailedEvaluationRegistersNothingAndAnnouncesNothing() {
        String model = "failed-" + UUID.randomUUID();
        EvaluationCompleted succeeded = evaluation(model, packages[0], GOOD, null);
        EvaluationCompleted failed = new EvaluationCompleted(EventMeta.next("evaluation-service", model + "-v1"),
                UUID.randomUUID().toString(), EvaluationCompleted.Status.FAILED, "package sha256 mismatch", model,
                succeeded.lineage(), null, null, null, null);
        send(failed);

        awaitConsumed();
        assertThat(inbox.seen(failed.eventId())).as("the failed evaluation reached the consumer").isTrue();
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(404).contentType(PROBLEM_JSON)
                .body("detail", equalTo("no model " + model));
        given().auth().oauth2(TestTokens.teamA()).get("/models").then().statusCode(200).body("name", not(hasItem(model)));
        assertThat(registry.versions(model)).isEmpty();
        assertThat(registry.aliases(model)).isEmpty();
        assertThat(outbox(model)).isEmpty();
        assertThat(records(Topics.MODELS_PROMOTED, model)).isEmpty();
        assertThat(records(Topics.MODELS_REJECTED, model)).isEmpty();
        assertThat(deadLetterReasons(model)).isEmpty();

        // It took no version number either: the next successful evaluation is the model's v1.
        send(succeeded);
        ModelPromoted first = decode(awaitRecords(Topics.MODELS_PROMOTED, model, 1), ModelPromoted.class).get(0);
        assertThat(first.version()).isEqualTo(1);
        assertThat(registry.versions(model)).extracting(v -> v.evaluationId).containsExactly(succeeded.evaluationId());
    }

    @Test
    void anotherTeamsCandidateNeverJoinsTheModelAndAPolicySetOnTheNameBeforehandDoesNotFollowIt() {
        String model = "teams-" + UUID.randomUUID();
        // Team B sets a lax policy on a name nobody has registered yet; the data set (and so the model) turns
        // out to be team A's.
        given().auth().oauth2(TestTokens.user(FinetuneRealm.APPROVER, FinetuneRealm.TEAM_B)).contentType(ContentType.JSON)
                .body("{\"minAccuracy\": 0.1, \"minMacroF1\": 0.1}").put("/models/" + model + "/policy")
                .then().statusCode(200);
        send(evaluation(model, packages[0], GOOD, null));
        awaitRecords(Topics.MODELS_PROMOTED, model, 1);
        assertThat(registry.teamOf(model)).contains(FinetuneRealm.TEAM_A);
        assertThat(registry.policyOf(model)).as("team B's policy went with team A's claim")
                .isEqualTo(registry.policyOf("never-" + UUID.randomUUID()));

        // A candidate of team B naming team A's model is dead-lettered: no version, no decision, no event.
        EvaluationCompleted foreign = evaluation(model, FinetuneRealm.TEAM_B, packages[1], GOOD, betterThan(1));
        send(foreign);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(deadLetterReasons(model)).singleElement()
                .asString().startsWith("team-mismatch: evaluation " + foreign.evaluationId() + " of team team-b"));
        assertThat(registry.versions(model)).extracting(v -> v.version).containsExactly(1);
        assertThat(registry.aliases(model)).containsEntry(Registry.PRODUCTION, 1);
        assertThat(records(Topics.MODELS_PROMOTED, model)).hasSize(1);
        assertThat(records(Topics.MODELS_REJECTED, model)).isEmpty();
    }

    @Test
    void aChangedPolicyDecidesTheNextCandidate() {
        String model = "policy-" + UUID.randomUUID();
        send(evaluation(model, packages[0], GOOD, null));
        awaitRecords(Topics.MODELS_PROMOTED, model, 1);

        // Tightened: the same kind of candidate (accuracy 0.95, better than v1 on every count) is now rejected,
        // by min-accuracy alone.
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"minAccuracy\": 0.97}").put("/models/" + model + "/policy")
                .then().statusCode(200).body("minAccuracy", equalTo(0.97f)).body("minMacroF1", equalTo(0.5f));
        send(evaluation(model, packages[1], GOOD, betterThan(1)));
        ModelRejected rejected = decode(awaitRecords(Topics.MODELS_REJECTED, model, 1), ModelRejected.class).get(0);
        assertThat(rejected.version()).isEqualTo(2);
        assertThat(rejected.failedRules()).singleElement().satisfies(rule -> {
            assertThat(rule.rule()).isEqualTo("min-accuracy");
            assertThat(rule.threshold()).isEqualTo(0.97);
            assertThat(rule.actual()).isEqualTo(0.95);
        });

        // Loosened again: the same candidate, evaluated again, is promoted.
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"minAccuracy\": 0.9}").put("/models/" + model + "/policy")
                .then().statusCode(200).body("minAccuracy", equalTo(0.9f));
        send(evaluation(model, packages[1], GOOD, betterThan(1)));
        List<ModelPromoted> promoted = decode(awaitRecords(Topics.MODELS_PROMOTED, model, 2), ModelPromoted.class);
        assertThat(promoted.get(1).version()).isEqualTo(3);
        assertThat(promoted.get(1).previousVersion()).isEqualTo(1);
        assertThat(promoted.get(1).rules()).allMatch(RuleOutcome::passed)
                .anySatisfy(rule -> {
                    assertThat(rule.rule()).isEqualTo("min-accuracy");
                    assertThat(rule.threshold()).isEqualTo(0.9);
                });
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200)
                .body("aliases.production", equalTo(3))
                .body("versions.status", equalTo(List.of("promoted", "rejected", "promoted")));
    }

    @Test
    void rollbackGoesBackToTheProductionVersionBeforeTheCurrentOne() {
        String model = "walk-" + UUID.randomUUID();
        // v1 promoted, v2 rejected, v3 promoted over v1: production went 1 -> 3, never through 2.
        EvaluationCompleted v1 = evaluation(model, packages[0], GOOD, null);
        EvaluationCompleted v3 = evaluation(model, packages[1], GOOD, betterThan(1));
        send(v1, evaluation(model, packages[1], POOR, betterThan(1)), v3);
        awaitRecords(Topics.MODELS_PROMOTED, model, 2);
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200).body("aliases.production", equalTo(3));

        // Two version numbers back, to v1, where production was: not v2, which never served.
        rollback(model, "{\"reason\": \"v3 misroutes refunds\"}").statusCode(200).body("version", equalTo(1));
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200).body("aliases.production", equalTo(1))
                .body("production.version", equalTo(1));
        // A rollback undoes a move, it is not one to undo: v1 was the first production, there is nothing before it.
        rollback(model, "{\"reason\": \"it was the client\"}").statusCode(409).contentType(PROBLEM_JSON)
                .body("type", equalTo(PROBLEMS + "no-earlier-version"));
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200).body("aliases.production", equalTo(1))
                .body("versions.status", equalTo(List.of("promoted", "rejected", "promoted")));

        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model + "/audit").then().statusCode(200)
                .body("size()", equalTo(3))
                .body("fromVersion", equalTo(Arrays.asList(null, 1, 3)))
                .body("toVersion", equalTo(List.of(1, 3, 1)))
                .body("trigger", equalTo(List.of("POLICY", "POLICY", "ROLLBACK")))
                .body("actor", equalTo(List.of("policy", "policy", "operator-a")));
        List<ModelPromoted> moves = decode(awaitRecords(Topics.MODELS_PROMOTED, model, 3), ModelPromoted.class);
        assertThat(moves).extracting(ModelPromoted::version).containsExactly(1, 3, 1);
        assertThat(moves).extracting(ModelPromoted::previousVersion).containsExactly(null, 1, 3);
        assertThat(moves).extracting(ModelPromoted::trigger).containsExactly(ModelPromoted.Trigger.POLICY,
                ModelPromoted.Trigger.POLICY, ModelPromoted.Trigger.ROLLBACK);
        assertThat(moves).extracting(ModelPromoted::reason).endsWith("v3 misroutes refunds");
        // Every move announces the target's lineage as it was stored, splits included.
        assertThat(moves).extracting(ModelPromoted::lineage)
                .containsExactly(v1.lineage(), v3.lineage(), v1.lineage());
    }

    @Test
    void repeatedRollbacksWalkFurtherBackAndNeverToggle() {
        String model = "back-" + UUID.randomUUID();
        send(evaluation(model, packages[0], GOOD, null), evaluation(model, packages[1], GOOD, betterThan(1)),
                evaluation(model, packages[0], GOOD, betterThan(2)));
        awaitRecords(Topics.MODELS_PROMOTED, model, 3);
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200).body("aliases.production", equalTo(3));

        rollback(model, "{\"reason\": \"v3 is wrong\"}").statusCode(200).body("version", equalTo(2));
        rollback(model, "{\"reason\": \"v2 too\"}").statusCode(200).body("version", equalTo(1));
        rollback(model, "{\"reason\": \"and v1?\"}").statusCode(409).contentType(PROBLEM_JSON)
                .body("type", equalTo(PROBLEMS + "no-earlier-version"));
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model + "/audit").then().statusCode(200)
                .body("fromVersion", equalTo(Arrays.asList(null, 1, 2, 3, 2)))
                .body("toVersion", equalTo(List.of(1, 2, 3, 2, 1)));
    }

    @Test
    void promoteAndRollbackRefuseWhatTheModelsStateDoesNotAllow() {
        String unknown = "nobody-" + UUID.randomUUID();
        rollback(unknown, "{\"reason\": \"just in case\"}").statusCode(404).contentType(PROBLEM_JSON)
                .body("type", equalTo(PROBLEMS + "no-production-version")).body("status", equalTo(404)).body("detail", equalTo("model " + unknown + " has no production version"));
        // The refused move left nothing behind, not even the model it looked for.
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + unknown).then().statusCode(404).body("type", equalTo(PROBLEMS + "model-not-found"));
        given().auth().oauth2(TestTokens.teamA()).get("/models").then().statusCode(200).body("name", not(hasItem(unknown)));

        String model = "refuse-" + UUID.randomUUID();
        send(evaluation(model, packages[0], POOR, null));
        awaitRecords(Topics.MODELS_REJECTED, model, 1);

        // No production alias yet: its only version was rejected.
        rollback(model, "{\"reason\": \"undo\"}").statusCode(404).contentType(PROBLEM_JSON)
                .body("type", equalTo(PROBLEMS + "no-production-version"))
                .body("detail", equalTo("model " + model + " has no production version"));
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200).body("aliases", anEmptyMap())
                .body("production", nullValue());

        // A reason is required, for promotion and rollback alike.
        String reasonRequired = "a reason is required: {\"reason\": \"...\"}";
        promote(model, 1, "{}").statusCode(400).contentType(PROBLEM_JSON)
                .body("type", equalTo(PROBLEMS + "missing-reason")).body("status", equalTo(400)).body("detail", equalTo(reasonRequired));
        promote(model, 1, "{\"reason\": \"   \"}").statusCode(400).contentType(PROBLEM_JSON)
                .body("detail", equalTo(reasonRequired));
        // Who acted is the token's subject: a body cannot name someone else.
        promote(model, 1, "{\"reason\": \"accepted by review\", \"actor\": \"erin\"}").statusCode(400)
                .contentType(PROBLEM_JSON).body("type", equalTo(PROBLEMS + "unknown-field"));
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200).body("aliases", anEmptyMap());

        promote(model, 1, "{\"reason\": \"accepted by review\"}").statusCode(200)
                .body("version", equalTo(1)).body("status", equalTo("promoted"));

        // Production has no earlier version: its only move came from nowhere.
        rollback(model, "{\"reason\": \"undo\"}").statusCode(409).contentType(PROBLEM_JSON)
                .body("type", equalTo(PROBLEMS + "no-earlier-version"))
                .body("detail", equalTo("production of " + model + " has no earlier version to roll back to"));
        rollback(model, "{}").statusCode(400).contentType(PROBLEM_JSON).body("detail", equalTo(reasonRequired));
        // The version that is production already.
        promote(model, 1, "{\"reason\": \"again\"}").statusCode(409).contentType(PROBLEM_JSON)
                .body("type", equalTo(PROBLEMS + "already-production")).body("status", equalTo(409)).body("detail", equalTo("v1 of " + model + " is production already"));
        promote(model, 7, "{\"reason\": \"no such\"}").statusCode(404).contentType(PROBLEM_JSON)
                .body("type", equalTo(PROBLEMS + "model-version-not-found"))
                .body("detail", equalTo("model " + model + " has no version 7"));

        // None of the refusals moved the alias, wrote an audit row or announced anything.
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).then().statusCode(200).body("aliases.production", equalTo(1));
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model + "/audit").then().statusCode(200)
                .body("size()", equalTo(1))
                .body("[0].fromVersion", nullValue()).body("[0].toVersion", equalTo(1))
                .body("[0].trigger", equalTo("MANUAL")).body("[0].actor", equalTo("operator-a"))
                .body("[0].reason", equalTo("accepted by review"));
        assertThat(outbox(model)).extracting(r -> r.topic)
                .containsExactly(Topics.MODELS_REJECTED, Topics.MODELS_PROMOTED);
        awaitAnnounced(model);
        assertThat(decode(records(Topics.MODELS_PROMOTED, model), ModelPromoted.class))
                .extracting(ModelPromoted::trigger).containsExactly(ModelPromoted.Trigger.MANUAL);
        assertThat(records(Topics.MODELS_REJECTED, model)).hasSize(1);
    }

    @Test
    void rollbackMovesProductionBackAndServingFollowsWithoutFailingARequest() throws Exception {
        String model = "swap-" + UUID.randomUUID();
        send(evaluation(model, packages[0], GOOD, null));
        awaitRecords(Topics.MODELS_PROMOTED, model, 1);
        // v2: registered but rejected (its evaluation compared it with nothing while v1 is production)
        send(evaluation(model, packages[1], GOOD, null));
        awaitRecords(Topics.MODELS_REJECTED, model, 1);
        awaitServed(model, 1);

        AtomicBoolean swapping = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> versionsSeen = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        for (int c = 0; c < 3; c++) {
            clients.execute(() -> {
                while (swapping.get()) {
                    var response = given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"inputs\": [\"sunny forecast\"]}")
                            .post("/models/" + model + "/predict");
                    statuses.add(response.statusCode());
                    if (response.statusCode() == 200) {
                        versionsSeen.add(response.jsonPath().getInt("version"));
                    }
                }
            });
        }
        promote(model, 2, "{\"reason\": \"canary of v2\"}").statusCode(200)
                .body("version", equalTo(2));
        awaitServed(model, 2);
        rollback(model, "{\"reason\": \"v2 misbehaves\"}").statusCode(200).body("version", equalTo(1));
        awaitServed(model, 1);
        swapping.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        assertThat(statuses).isNotEmpty().containsOnly(200);
        assertThat(versionsSeen).contains(1, 2);
        List<ModelPromoted> moves = decode(awaitRecords(Topics.MODELS_PROMOTED, model, 3), ModelPromoted.class);
        assertThat(moves).extracting(ModelPromoted::trigger).containsExactly(ModelPromoted.Trigger.POLICY,
                ModelPromoted.Trigger.MANUAL, ModelPromoted.Trigger.ROLLBACK);
        assertThat(moves.get(2).previousVersion()).isEqualTo(2);
        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model + "/audit").then().statusCode(200)
                .body("size()", equalTo(3))
                .body("[1].actor", equalTo("operator-a"))
                .body("[2].reason", equalTo("v2 misbehaves"));
        promote(model, 9, "{\"reason\": \"again\"}").statusCode(404).contentType(PROBLEM_JSON);
    }

    @Test
    void predictAnswers503UntilTheProductionVersionIsLoaded() {
        String model = "loading-" + UUID.randomUUID();
        // The package is registered before it is readable (its upload is late): the policy promotes it all the same
        // (its preload fails, which must not hold the record's partition), and every predict tries to load it again
        // once the last failure is older than Retry-After, so the window stays open until the package is there.
        byte[] bytes = store.read(packages[0].uri());
        String key = "models/registry-it/late-" + UUID.randomUUID() + "/model.zip";
        ObjectUri uri = store.uri(key);
        send(evaluation(model, new StoredObject(uri, packages[0].sha256(), bytes.length), GOOD, null));
        awaitRecords(Topics.MODELS_PROMOTED, model, 1);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> predict(model, "{\"inputs\": [\"rain\"]}")
                .statusCode(503).contentType(PROBLEM_JSON).header("Retry-After", "2")
                .body("type", equalTo(PROBLEMS + "model-loading"))
                .body("status", equalTo(503))
                .body("detail", equalTo("the production version of " + model + " (v1) is loading; retry shortly")));
        assertThat(served.loaded()).extracting(VersionPackage::model).doesNotContain(model);

        store.put(key, bytes, "application/zip");
        awaitServed(model, 1);
        assertThat(served.loaded()).extracting(VersionPackage::model).contains(model);
    }

    @Test
    void predictRefusesBadInputWithProblemJson() {
        predict("x", "{\"inputs\": []}").statusCode(400).contentType(PROBLEM_JSON)
                .body("type", equalTo(PROBLEMS + "invalid-inputs"))
                .body("detail", equalTo("\"inputs\" must be a non-empty array of texts"));
        String many = "{\"inputs\": [" + String.join(",", Collections.nCopies(65, "\"a\"")) + "]}";
        predict("x", many).statusCode(413).contentType(PROBLEM_JSON)
                .body("type", equalTo(PROBLEMS + "too-many-inputs"))
                .body("status", equalTo(413)).body("detail", equalTo("65 inputs; at most 64 per request"));
        // A text over registry.serving.max-text-chars (10000), wherever it is in the batch; checked before the
        // model is even looked up.
        String tooLong = "a".repeat(10_001);
        predict("x", "{\"inputs\": [\"" + tooLong + "\"]}").statusCode(413).contentType(PROBLEM_JSON)
                .body("type", equalTo(PROBLEMS + "input-too-long"))
                .body("detail", equalTo("inputs[0] has 10001 characters; at most 10000"));
        predict("x", "{\"inputs\": [\"fine\", \"" + tooLong + "\"]}").statusCode(413).contentType(PROBLEM_JSON)
                .body("detail", equalTo("inputs[1] has 10001 characters; at most 10000"));
        // 10000 characters is within the limit: this one gets as far as looking for the model.
        predict("x", "{\"inputs\": [\"" + "a".repeat(10_000) + "\"]}").statusCode(404).contentType(PROBLEM_JSON)
                .body("type", equalTo(PROBLEMS + "no-production-version"))
                .body("detail", equalTo("model x has no production version"));
        predict("nobody", "{\"inputs\": [\"a\"]}").statusCode(404).contentType(PROBLEM_JSON);
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"minAccuracy\": 1.5}").put("/models/x/policy").then()
                .statusCode(400).contentType(PROBLEM_JSON);
    }

    private EvaluationCompleted evaluation(String model, StoredObject pkg, Map<String, Double> metrics,
            EvaluationCompleted.ChampionComparison champion) {
        return evaluation(model, FinetuneRealm.TEAM_A, pkg, metrics, champion);
    }

    private EvaluationCompleted evaluation(String model, String team, StoredObject pkg, Map<String, Double> metrics,
            EvaluationCompleted.ChampionComparison champion) {
        String run = UUID.randomUUID().toString();
        return new EvaluationCompleted(EventMeta.next("evaluation-service", model + "-v1"), UUID.randomUUID().toString(),
                EvaluationCompleted.Status.SUCCEEDED, null, model,
                new Lineage(model, team, 1, "s3://finetune/datasets/" + model + "/v1/manifest.json", run,
                        pkg.uri().toString(), pkg.sha256(), 12, splits(run)),
                metrics, LABEL_F1, champion, "s3://finetune/reports/" + run + "/ckpt-12/report.json");
    }

    /** A data set version's splits, distinct per run so each version's lineage names its own. */
    private static Map<String, DatasetPrepared.SplitRef> splits(String run) {
        String prefix = "s3://finetune/datasets/" + run + "/v1/";
        return Map.of("train", new DatasetPrepared.SplitRef(prefix + "train.jsonl.gz", "9b".repeat(32), 24),
                "test", new DatasetPrepared.SplitRef(prefix + "test.jsonl.gz", run.replace("-", "").repeat(2), 30));
    }

    /** A comparison with {@code championVersion} that passes every relative rule of the default policy. */
    private static EvaluationCompleted.ChampionComparison betterThan(int championVersion) {
        return new EvaluationCompleted.ChampionComparison(championVersion, Map.of("accuracy", 0.02, "macroF1", 0.02),
                0.01, 0.03, 0.001);
    }

    private void send(EvaluationCompleted... events) {
        send(null, events);
    }

    /** The events as records, each in {@code trace} when there is one; returns once the broker has them. */
    private void send(TestTrace trace, EvaluationCompleted... events) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (EvaluationCompleted event : events) {
            records.add(new ProducerRecord<>(Topics.EVALUATIONS_COMPLETED, null, event.modelName(),
                    EventCodec.encode(event), trace == null ? null : trace.headers()));
        }
        kafka.produceStrings().fromRecords(records).awaitCompletion();
    }

    /** Every record on {@code topic} with {@code key}, up to the topic's end now, in offset order. */
    private List<ConsumerRecord<String, String>> records(String topic, String key) {
        return TopicSnapshot.read(bootstrapServers, topic).stream().filter(r -> key.equals(r.key()))
                .sorted(Comparator.comparingLong(ConsumerRecord::offset)).toList();
    }

    /** Waits until exactly {@code count} records with {@code key} are on {@code topic}. */
    private List<ConsumerRecord<String, String>> awaitRecords(String topic, String key, int count) {
        return await().atMost(Duration.ofSeconds(90)).until(() -> records(topic, key), r -> {
            assertThat(r).as("records on %s with key %s", topic, key).hasSizeLessThanOrEqualTo(count);
            return r.size() == count;
        });
    }

    /** Why each of the model's records on evaluations.completed was dead-lettered (the consumer's reason header). */
    private List<String> deadLetterReasons(String model) {
        return records(DEAD_LETTERS, model).stream().map(r -> {
            var reason = r.headers().lastHeader("dead-letter-reason");
            return reason == null ? "(no reason) " + r.value() : new String(reason.value(), StandardCharsets.UTF_8);
        }).toList();
    }

    private static <T> List<T> decode(List<ConsumerRecord<String, String>> records, Class<T> type) {
        return records.stream().map(r -> EventCodec.decode(r.value(), type)).toList();
    }

    /**
     * Waits until EvaluationConsumer's group has committed offsets past every record on evaluations.completed
     * now: each was processed (decided, skipped, or dead-lettered), since an offset is committed only after.
     */
    private void awaitConsumed() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(Topics.EVALUATIONS_COMPLETED)).allTopicNames().get()
                    .get(Topics.EVALUATIONS_COMPLETED).partitions()
                    .forEach(p -> latest.put(new TopicPartition(Topics.EVALUATIONS_COMPLETED, p.partition()),
                            OffsetSpec.latest()));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
            await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(CONSUMER_GROUP)
                        .partitionsToOffsetAndMetadata().get();
                ends.forEach((tp, end) -> assertThat(committed.get(tp) == null ? 0L : committed.get(tp).offset())
                        .as("offset of %s committed by %s", tp, CONSUMER_GROUP).isGreaterThanOrEqualTo(end));
            });
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot read the offsets of " + Topics.EVALUATIONS_COMPLETED, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The model's outbox rows, oldest first. */
    private static List<OutboxEvent> outbox(String model) {
        return QuarkusTransaction.requiringNew().call(() -> OutboxEvent.<OutboxEvent>list("recordKey = ?1 order by id",
                model));
    }

    /** Waits until the relay has sent every event written for the model (it marks one sent once the broker has it). */
    private static void awaitAnnounced(String model) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(outbox(model)).as("unsent outbox rows of %s", model).allMatch(r -> r.sentAt != null));
    }

    private static ValidatableResponse predict(String model, String body) {
        return given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body(body).post("/models/" + model + "/predict").then();
    }

    private static ValidatableResponse promote(String model, int version, String body) {
        return given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body(body)
                .post("/models/" + model + "/versions/" + version + "/promote").then();
    }

    private static ValidatableResponse rollback(String model, String body) {
        return given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body(body).post("/models/" + model + "/rollback").then();
    }

    private void awaitServed(String model, int version) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> predict(model, "{\"inputs\": [\"x\"]}")
                .statusCode(200).body("version", equalTo(version)));
    }
}

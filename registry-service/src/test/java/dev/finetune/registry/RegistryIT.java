package dev.finetune.registry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Lineage;
import dev.finetune.events.ModelPromoted;
import dev.finetune.events.ModelRejected;
import dev.finetune.events.RuleOutcome;
import dev.finetune.events.Topics;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.ml.train.FineTuner;
import dev.finetune.ml.train.Strategy;
import dev.finetune.ml.train.TrainingConfig;
import dev.finetune.ml.train.TrainingListener;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StoredObject;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTrace;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry through the real broker, S3Proxy and PostgreSQL with real model packages: promotion by
 * policy, rejection with its rules, each announced in the trace of its evaluation's record, one decision per
 * evaluation, and serving that follows production (including a rollback) without failing a request during
 * the swap.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class RegistryIT {

    private static final Map<String, Double> GOOD = Map.of("accuracy", 0.95, "macroF1", 0.94, "ece", 0.05,
            "latencyP95Ms", 12.0);
    private static final Map<String, Double> LABEL_F1 = Map.of("food", 0.95, "sports", 0.94, "weather", 0.93);
    private static final List<String> LABELS = List.of("food", "sports", "weather");
    private static StoredObject[] packages;

    @Inject
    ArtifactStore store;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    KafkaCompanion kafka;

    @BeforeEach
    void setUp() throws IOException {
        kafka = new KafkaCompanion(bootstrapServers);
        if (packages == null) {
            packages = new StoredObject[] {trainAndStore(1), trainAndStore(2)};
        }
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

        ConsumerRecord<String, String> promotedRecord = awaitRaw(Topics.MODELS_PROMOTED, model);
        // The relay sent it later from its own thread, in the trace of the evaluation's record.
        assertThat(TestTrace.traceIdOf(promotedRecord)).isEqualTo(passingTrace.traceId());
        ModelPromoted promoted = EventCodec.decode(promotedRecord.value(), ModelPromoted.class);
        assertThat(promoted.version()).isEqualTo(1);
        assertThat(promoted.previousVersion()).isNull();
        assertThat(promoted.trigger()).isEqualTo(ModelPromoted.Trigger.POLICY);
        assertThat(promoted.packageSha256()).isEqualTo(packages[0].sha256());
        assertThat(promoted.correlationId()).isEqualTo(passing.correlationId());
        assertThat(promoted.rules()).isNotEmpty().allMatch(RuleOutcome::passed);
        given().get("/models/" + model).then().statusCode(200).body("aliases.production", equalTo(1));
        awaitServed(model, 1);
        given().contentType(ContentType.JSON).body("{\"inputs\": [\"the striker scored a goal\", \"rain and wind\"]}")
                .post("/models/" + model + "/predict").then().statusCode(200)
                .body("model", equalTo(model)).body("version", equalTo(1))
                .body("predictions.size()", equalTo(2))
                .body("predictions[0].scores.size()", equalTo(3));

        EvaluationCompleted failing = evaluation(model, packages[1], Map.of("accuracy", 0.4, "macroF1", 0.35,
                "ece", 0.05, "latencyP95Ms", 12.0), new EvaluationCompleted.ChampionComparison(1,
                Map.of("accuracy", -0.55), -0.6, -0.5, 0.0001));
        TestTrace failingTrace = TestTrace.random();
        send(failingTrace, failing);
        ConsumerRecord<String, String> rejectedRecord = awaitRaw(Topics.MODELS_REJECTED, model);
        assertThat(TestTrace.traceIdOf(rejectedRecord)).isEqualTo(failingTrace.traceId());
        ModelRejected rejected = EventCodec.decode(rejectedRecord.value(), ModelRejected.class);
        assertThat(rejected.version()).isEqualTo(2);
        assertThat(rejected.failedRules()).extracting(RuleOutcome::rule)
                .contains("min-accuracy", "min-macro-f1", "min-improvement", "significant-improvement");
        given().get("/models/" + model).then().statusCode(200)
                .body("aliases.production", equalTo(1))
                .body("versions[1].status", equalTo("rejected"));
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

        awaitRecord(Topics.MODELS_PROMOTED, model, ModelPromoted.class);
        given().get("/models/" + model).then().statusCode(200).body("versions.size()", equalTo(1));
        assertThat(all(Topics.MODELS_PROMOTED, model)).hasSize(1);
    }

    @Test
    void rollbackMovesProductionBackAndServingFollowsWithoutFailingARequest() throws Exception {
        String model = "swap-" + UUID.randomUUID();
        send(evaluation(model, packages[0], GOOD, null));
        awaitRecord(Topics.MODELS_PROMOTED, model, ModelPromoted.class);
        // v2: registered but rejected (its evaluation compared it with nothing while v1 is production)
        send(evaluation(model, packages[1], GOOD, null));
        awaitRecord(Topics.MODELS_REJECTED, model, ModelRejected.class);
        awaitServed(model, 1);

        AtomicBoolean swapping = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> versionsSeen = new ConcurrentLinkedQueue<>();
        ExecutorService clients = Executors.newFixedThreadPool(3);
        for (int c = 0; c < 3; c++) {
            clients.execute(() -> {
                while (swapping.get()) {
                    var response = given().contentType(ContentType.JSON).body("{\"inputs\": [\"sunny forecast\"]}")
                            .post("/models/" + model + "/predict");
                    statuses.add(response.statusCode());
                    if (response.statusCode() == 200) {
                        versionsSeen.add(response.jsonPath().getInt("version"));
                    }
                }
            });
        }
        given().contentType(ContentType.JSON).body("{\"reason\": \"canary of v2\", \"actor\": \"alice\"}")
                .post("/models/" + model + "/versions/2/promote").then().statusCode(200).body("version", equalTo(2));
        awaitServed(model, 2);
        given().contentType(ContentType.JSON).body("{\"reason\": \"v2 misbehaves\"}")
                .post("/models/" + model + "/rollback").then().statusCode(200).body("version", equalTo(1));
        awaitServed(model, 1);
        swapping.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        assertThat(statuses).isNotEmpty().containsOnly(200);
        assertThat(versionsSeen).contains(1, 2);
        List<ModelPromoted> moves = all(Topics.MODELS_PROMOTED, model).stream()
                .map(r -> EventCodec.decode(r.value(), ModelPromoted.class)).toList();
        assertThat(moves).extracting(ModelPromoted::trigger).containsExactly(ModelPromoted.Trigger.POLICY,
                ModelPromoted.Trigger.MANUAL, ModelPromoted.Trigger.ROLLBACK);
        assertThat(moves.get(2).previousVersion()).isEqualTo(2);
        given().get("/models/" + model + "/audit").then().statusCode(200)
                .body("size()", equalTo(3))
                .body("[1].actor", equalTo("alice"))
                .body("[2].reason", equalTo("v2 misbehaves"));
        given().contentType(ContentType.JSON).body("{\"reason\": \"again\"}")
                .post("/models/" + model + "/versions/9/promote").then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void predictRefusesBadInputWithProblemJson() {
        given().contentType(ContentType.JSON).body("{\"inputs\": []}").post("/models/x/predict").then().statusCode(400)
                .contentType("application/problem+json");
        String many = "{\"inputs\": [" + String.join(",", java.util.Collections.nCopies(65, "\"a\"")) + "]}";
        given().contentType(ContentType.JSON).body(many).post("/models/x/predict").then().statusCode(413);
        given().contentType(ContentType.JSON).body("{\"inputs\": [\"a\"]}").post("/models/nobody/predict").then()
                .statusCode(404);
        given().contentType(ContentType.JSON).body("{\"minAccuracy\": 1.5}").put("/models/x/policy").then()
                .statusCode(400);
    }

    private EvaluationCompleted evaluation(String model, StoredObject pkg, Map<String, Double> metrics,
            EvaluationCompleted.ChampionComparison champion) {
        String run = UUID.randomUUID().toString();
        return new EvaluationCompleted(EventMeta.next("evaluation-service", model + "-v1"), UUID.randomUUID().toString(),
                EvaluationCompleted.Status.SUCCEEDED, null, model,
                new Lineage(model, 1, "s3://finetune/datasets/" + model + "/v1/manifest.json", run,
                        pkg.uri().toString(), pkg.sha256(), 12),
                metrics, LABEL_F1, champion, "s3://finetune/reports/" + run + "/ckpt-12/report.json");
    }

    private void send(EvaluationCompleted... events) {
        send(null, events);
    }

    /** The events as records, each in {@code trace} when there is one. */
    private void send(TestTrace trace, EvaluationCompleted... events) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (EvaluationCompleted event : events) {
            records.add(new ProducerRecord<>(Topics.EVALUATIONS_COMPLETED, null, event.modelName(),
                    EventCodec.encode(event), trace == null ? null : trace.headers()));
        }
        kafka.produceStrings().fromRecords(records).awaitCompletion();
    }

    private <T> T awaitRecord(String topic, String key, Class<T> type) {
        return EventCodec.decode(awaitRaw(topic, key).value(), type);
    }

    private ConsumerRecord<String, String> awaitRaw(String topic, String key) {
        return kafka.consumeStrings()
                .fromTopics(topic, all -> all.select().where(r -> key.equals(r.key())).select().first())
                .awaitCompletion(Duration.ofSeconds(60)).getFirstRecord();
    }

    private List<ConsumerRecord<String, String>> all(String topic, String key) {
        return kafka.consumeStrings().fromTopics(topic, Duration.ofSeconds(3)).awaitCompletion().getRecords().stream()
                .filter(r -> key.equals(r.key())).sorted(java.util.Comparator.comparingLong(ConsumerRecord::offset))
                .toList();
    }

    private void awaitServed(String model, int version) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().contentType(ContentType.JSON).body("{\"inputs\": [\"x\"]}").post("/models/" + model + "/predict")
                        .then().statusCode(200).body("version", equalTo(version)));
    }

    /** A real package: the head strategy trains in seconds. */
    private StoredObject trainAndStore(long seed) throws IOException {
        List<Example> train = new ArrayList<>();
        String[][] words = {{"recipe", "pasta", "dinner", "soup"}, {"goal", "match", "striker", "team"},
                {"rain", "storm", "sunny", "wind"}};
        for (int i = 0; i < 24; i++) {
            int label = i % 3;
            train.add(new Example("the " + words[label][i % 4] + " and the " + words[label][(i + 1) % 4], LABELS.get(label)));
        }
        TrainingConfig config = TrainingConfig.defaults().withStrategy(Strategy.HEAD).withEpochs(3).withBatchSize(8)
                .withMaxLength(16).withSeed(seed).withEarlyStoppingPatience(0);
        ModelPackage modelPackage = FineTuner.train(BaseModel.minilm(), config, train, List.of(), TrainingListener.NONE)
                .bestPackage();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        modelPackage.writeTo(bytes);
        return store.put("models/registry-it/" + seed + "/model.zip", bytes.toByteArray(), "application/zip");
    }
}

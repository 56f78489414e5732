package dev.finetune.evaluation.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.evaluation.EvaluationFixtures;
import dev.finetune.evaluation.domain.ChampionStore;
import dev.finetune.support.inbox.Inbox;
import dev.finetune.evaluation.scoring.LengthBuckets;
import dev.finetune.evaluation.scoring.McNemar;
import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import dev.finetune.events.ModelPromoted;
import dev.finetune.events.Topics;
import dev.finetune.ml.classifier.TextClassifier;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.eval.EvaluationMetrics;
import dev.finetune.ml.eval.Evaluator;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.storage.StoredObject;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTrace;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Evaluation through the real broker, S3Proxy and PostgreSQL with real (tiny, head-trained) models: a candidate
 * checkpoint yields a report in S3, a row and one {@code evaluations.completed} whose metrics match a direct
 * computation; duplicates score once; with a champion the report holds the paired comparison, and the event
 * continues the trace of the checkpoint's record (scoring runs off the poll thread); a corrupted or
 * unreadable checkpoint yields a failed evaluation and the service stays ready and keeps consuming.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class EvaluationIT {

    private static final Duration SCORING = Duration.ofMinutes(2);

    @Inject
    ArtifactStore store;

    @Inject
    Inbox inbox;

    @Inject
    ChampionStore champions;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
    }

    @AfterEach
    void disconnect() {
        kafka.close();
    }

    @Test
    void aCandidateIsScoredOnceIntoAReportARowAndOneEvent() throws Exception {
        String model = "topics-" + UUID.randomUUID();
        String run = "run-" + UUID.randomUUID();
        String manifest = EvaluationFixtures.storeDataset(store, model);
        byte[] bytes = EvaluationFixtures.candidatePackage();
        StoredObject checkpoint = store.put("models/" + run + "/ckpt-5/model.zip", bytes, "application/zip");
        CheckpointSaved event = EvaluationFixtures.checkpoint(model, manifest, run, checkpoint, 5, true, false);
        // The same checkpoint announced again as the run's last one: a new event, nothing new to score.
        CheckpointSaved again = new CheckpointSaved(EventMeta.next("training-service", event.correlationId()), model,
                event.lineage(), 1, event.validationMetrics(), true, true);
        CheckpointSaved notACandidate = EvaluationFixtures.checkpoint(model, manifest, run, checkpoint, 4, false, false);

        produce(Topics.TRAINING_CHECKPOINTS, run, notACandidate, event, event /* redelivery */, again);

        EvaluationCompleted completed = awaitCompleted(model);
        assertThat(completed.status()).isEqualTo(EvaluationCompleted.Status.SUCCEEDED);
        assertThat(completed.lineage()).isEqualTo(event.lineage());
        assertThat(completed.correlationId()).isEqualTo(event.correlationId());
        assertThat(completed.champion()).isNull();
        assertThat(completed.reportUri()).isEqualTo("s3://finetune/reports/" + run + "/ckpt-5/report.json");

        // The metrics are what the model library computes directly on the same test split.
        EvaluationMetrics direct;
        try (TextClassifier classifier = TextClassifier.load(EvaluationFixtures.read(bytes))) {
            direct = Evaluator.evaluate(classifier, EvaluationFixtures.test());
        }
        assertThat(completed.metrics()).containsOnlyKeys("accuracy", "macroF1", "logLoss", "ece", "latencyP50Ms",
                "latencyP95Ms", "throughputPerSecond");
        assertThat(completed.metrics().get("accuracy")).isCloseTo(direct.accuracy(), within(1e-9));
        assertThat(completed.metrics().get("macroF1")).isCloseTo(direct.macroF1(), within(1e-9));
        assertThat(completed.metrics().get("logLoss")).isCloseTo(direct.logLoss(), within(1e-5));
        assertThat(completed.metrics().get("ece")).isCloseTo(direct.expectedCalibrationError(), within(1e-5));
        assertThat(completed.metrics().get("latencyP95Ms")).isGreaterThanOrEqualTo(completed.metrics().get("latencyP50Ms"))
                .isPositive();
        assertThat(completed.metrics().get("throughputPerSecond")).isPositive();
        assertThat(completed.perLabelF1()).containsOnlyKeys(EvaluationFixtures.LABELS);
        assertThat(direct.accuracy()).as("the tiny model learned something").isGreaterThan(0.5);

        // The report and its pictures are in S3.
        JsonNode report = EventCodec.mapper().readTree(store.read(ObjectUri.parse(completed.reportUri())));
        assertThat(report.path("evaluationId").asText()).isEqualTo(completed.evaluationId());
        assertThat(report.path("testSplit").path("examples").asInt()).isEqualTo(30);
        assertThat(report.path("candidate").path("confusion").get(0).get(0).asInt()).isEqualTo(direct.confusion()[0][0]);
        LengthBuckets defaults = new LengthBuckets(64, 256);
        for (String bucket : LengthBuckets.NAMES) {
            long expected = EvaluationFixtures.test().stream().filter(e -> defaults.bucket(e.text()).equals(bucket)).count();
            assertThat(expected).as("the fixture has %s texts", bucket).isPositive();
            assertThat(report.path("slices").path("byLength").path(bucket).path("count").asLong()).isEqualTo(expected);
        }
        assertThat(report.path("slices").path("byLabel").path("food").path("support").asInt()).isEqualTo(10);
        assertThat(report.path("candidate").path("calibration")).hasSize(10);
        assertThat(store.exists(ObjectUri.parse("s3://finetune/reports/" + run + "/ckpt-5/confusion-matrix.svg"))).isTrue();

        // All four records were consumed, and only one evaluation came out of them.
        await().atMost(Duration.ofSeconds(60)).until(() -> inbox.seen(again.eventId()) && inbox.seen(notACandidate.eventId()));
        assertThat(completedEvents(model)).hasSize(1);

        // The row, through REST.
        given().queryParam("run", run).get("/evaluations").then().statusCode(200)
                .body("size()", equalTo(1))
                .body("[0].id", equalTo(completed.evaluationId()))
                .body("[0].status", equalTo("SUCCEEDED"))
                .body("[0].checkpoint", equalTo("ckpt-5"))
                .body("[0].links.confusionMatrix", equalTo("/evaluations/" + completed.evaluationId() + "/confusion.svg"));
        given().queryParam("model", model).get("/evaluations").then().statusCode(200).body("size()", equalTo(1));
        given().get("/evaluations/" + completed.evaluationId()).then().statusCode(200)
                .body("evaluation.testSplit.examples", equalTo(30))
                .body("report.evaluationId", equalTo(completed.evaluationId()))
                .body("report.slices.lengthThresholds.mediumFromChars", equalTo(64));
        given().get("/evaluations/" + completed.evaluationId() + "/confusion.svg").then().statusCode(200)
                .contentType("image/svg+xml").body(containsString("<svg"));
        given().get("/evaluations/" + completed.evaluationId() + "/reliability.svg").then().statusCode(200)
                .body(containsString("ECE"));
        given().get("/evaluations/eval-nope").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void withAChampionTheReportHoldsThePairedComparison() throws Exception {
        String model = "champ-" + UUID.randomUUID();
        String run = "run-" + UUID.randomUUID();
        String manifest = EvaluationFixtures.storeDataset(store, model);
        StoredObject championPackage = store.put("models/run-champion-" + model + "/ckpt-1/model.zip",
                EvaluationFixtures.championPackage(), "application/zip");
        ModelPromoted promoted = EvaluationFixtures.promoted(model, 3, manifest, championPackage);
        produce(Topics.MODELS_PROMOTED, model, promoted);
        await().atMost(Duration.ofSeconds(60)).until(() -> champions.find(model).isPresent());

        StoredObject checkpoint = store.put("models/" + run + "/ckpt-7/model.zip", EvaluationFixtures.candidatePackage(),
                "application/zip");
        TestTrace trace = TestTrace.random();
        kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.TRAINING_CHECKPOINTS, null, run,
                EventCodec.encode(EvaluationFixtures.checkpoint(model, manifest, run, checkpoint, 7, true, true)),
                trace.headers())).awaitCompletion();

        ConsumerRecord<String, String> record = awaitCompletedRecord(model);
        assertThat(TestTrace.traceIdOf(record)).isEqualTo(trace.traceId());
        EvaluationCompleted completed = EventCodec.decode(record.value(), EvaluationCompleted.class);
        assertThat(completed.status()).isEqualTo(EvaluationCompleted.Status.SUCCEEDED);
        EvaluationCompleted.ChampionComparison comparison = completed.champion();
        assertThat(comparison).isNotNull();
        assertThat(comparison.championVersion()).isEqualTo(3);

        // Recompute the paired outcomes directly from both models.
        List<Example> test = EvaluationFixtures.test();
        boolean[] candidateRight = correct(EvaluationFixtures.candidatePackage(), test);
        boolean[] championRight = correct(EvaluationFixtures.championPackage(), test);
        int candidateOnly = 0;
        int championOnly = 0;
        double difference = 0;
        for (int i = 0; i < test.size(); i++) {
            candidateOnly += candidateRight[i] && !championRight[i] ? 1 : 0;
            championOnly += !candidateRight[i] && championRight[i] ? 1 : 0;
            difference += ((candidateRight[i] ? 1 : 0) - (championRight[i] ? 1 : 0)) / (double) test.size();
        }
        assertThat(comparison.mcnemarPValue()).isEqualTo(McNemar.exactPValue(candidateOnly, championOnly));
        assertThat(comparison.deltas()).containsOnlyKeys("accuracy", "macroF1", "logLoss", "ece");
        assertThat(comparison.deltas().get("accuracy")).isCloseTo(difference, within(1e-9));
        assertThat(comparison.accuracyDeltaLow()).isLessThanOrEqualTo(difference);
        assertThat(comparison.accuracyDeltaHigh()).isGreaterThanOrEqualTo(difference);

        JsonNode report = EventCodec.mapper().readTree(store.read(ObjectUri.parse(completed.reportUri())));
        JsonNode champion = report.path("champion");
        assertThat(champion.path("championVersion").asInt()).isEqualTo(3);
        assertThat(champion.path("candidateOnlyCorrect").asInt()).isEqualTo(candidateOnly);
        assertThat(champion.path("championOnlyCorrect").asInt()).isEqualTo(championOnly);
        assertThat(champion.path("accuracyDelta").path("resamples").asInt()).isEqualTo(200);
        // The champion was scored once for this test split and is cached for the next candidate.
        assertThat(champions.score(model, 3, report.path("testSplit").path("sha256").asText())).isPresent();
    }

    @Test
    void malformedCorruptedOrUnreadableCheckpointsFailWithTheReasonAndTheServiceKeepsGoing() {
        String model = "corrupt-" + UUID.randomUUID();
        String run = "run-" + UUID.randomUUID();
        String manifest = EvaluationFixtures.storeDataset(store, model);
        byte[] bytes = EvaluationFixtures.candidatePackage().clone();
        StoredObject original = store.put("models/" + run + "/ckpt-1/model.zip", bytes, "application/zip");
        bytes[bytes.length / 2] ^= 0x5a; // the object changes after the event announced its sha256
        store.put("models/" + run + "/ckpt-1/model.zip", bytes, "application/zip");
        CheckpointSaved corrupted = EvaluationFixtures.checkpoint(model, manifest, run, original, 1, true, false);
        StoredObject notAZip = store.put("models/" + run + "/ckpt-2/model.zip",
                "not a model".getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/zip");
        CheckpointSaved unreadable = EvaluationFixtures.checkpoint(model, manifest, run, notAZip, 2, true, false);

        String malformed = EventCodec.encode(corrupted).replaceFirst("\"modelName\"\\s*:", "\"model\":");
        kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.TRAINING_CHECKPOINTS, run, malformed))
                .awaitCompletion();
        produce(Topics.TRAINING_CHECKPOINTS, run, corrupted, unreadable);

        // Not a CheckpointSaved at all: dead-lettered with the reason, and the records behind it still flow.
        ConsumerRecord<String, String> dead = kafka.consumeStrings()
                .fromTopics(Topics.deadLetter(Topics.TRAINING_CHECKPOINTS, "evaluation-service"),
                        all -> all.select().where(r -> run.equals(r.key())).select().first())
                .awaitCompletion(Duration.ofSeconds(60)).getFirstRecord();
        assertThat(new String(dead.headers().lastHeader("dead-letter-reason").value(),
                java.nio.charset.StandardCharsets.UTF_8)).contains("missing required field 'modelName'");

        await().atMost(SCORING).until(() -> completedEvents(model).size() == 2);
        List<EvaluationCompleted> failed = completedEvents(model);
        assertThat(failed).allSatisfy(e -> {
            assertThat(e.status()).isEqualTo(EvaluationCompleted.Status.FAILED);
            assertThat(e.reportUri()).isNull();
        });
        assertThat(failed.get(0).lineage().step()).isEqualTo(1);
        assertThat(failed.get(0).reason()).contains("sha256 mismatch").contains(original.sha256())
                .contains(original.uri().toString());
        assertThat(failed.get(1).reason()).contains("not a readable model package");

        given().get("/q/health/ready").then().statusCode(200);
        given().queryParam("run", run).get("/evaluations").then().statusCode(200)
                .body("size()", equalTo(2)).body("[0].status", equalTo("FAILED"));
        given().get("/evaluations/" + failed.get(0).evaluationId() + "/confusion.svg").then().statusCode(404)
                .contentType("application/problem+json");
    }

    private void produce(String topic, String key, dev.finetune.events.PlatformEvent... events) {
        kafka.produceStrings().fromRecords(java.util.Arrays.stream(events)
                .map(e -> new ProducerRecord<>(topic, key, EventCodec.encode(e))).toList()).awaitCompletion();
    }

    private EvaluationCompleted awaitCompleted(String model) {
        return EventCodec.decode(awaitCompletedRecord(model).value(), EvaluationCompleted.class);
    }

    private ConsumerRecord<String, String> awaitCompletedRecord(String model) {
        return kafka.consumeStrings()
                .fromTopics(Topics.EVALUATIONS_COMPLETED, all -> all.select().where(r -> model.equals(r.key()))
                        .select().first())
                .awaitCompletion(SCORING).getFirstRecord();
    }

    /** Every evaluations.completed of the model so far, oldest first. */
    private List<EvaluationCompleted> completedEvents(String model) {
        return kafka.consumeStrings().fromTopics(Topics.EVALUATIONS_COMPLETED, Duration.ofSeconds(3)).awaitCompletion()
                .getRecords().stream()
                .filter(r -> model.equals(r.key()))
                .sorted(Comparator.comparingLong(ConsumerRecord::offset))
                .map(r -> EventCodec.decode(r.value(), EvaluationCompleted.class)).toList();
    }

    private static boolean[] correct(byte[] modelPackage, List<Example> test) {
        try (TextClassifier classifier = TextClassifier.load(EvaluationFixtures.read(modelPackage))) {
            var predictions = classifier.predict(test.stream().map(Example::text).toList());
            boolean[] right = new boolean[test.size()];
            for (int i = 0; i < right.length; i++) {
                right[i] = predictions.get(i).label().equals(test.get(i).label());
            }
            return right;
        }
    }
}

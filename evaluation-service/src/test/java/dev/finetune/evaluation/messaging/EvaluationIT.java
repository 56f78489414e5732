package dev.finetune.evaluation.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.evaluation.EvaluationFixtures;
import dev.finetune.evaluation.config.EvaluationSettings;
import dev.finetune.evaluation.domain.Champion;
import dev.finetune.evaluation.domain.ChampionStore;
import dev.finetune.evaluation.scoring.LengthBuckets;
import dev.finetune.evaluation.scoring.McNemar;
import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import dev.finetune.events.ModelPromoted;
import dev.finetune.events.Topics;
import dev.finetune.ml.classifier.Classifier;
import dev.finetune.ml.classifier.InferenceEngine;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.eval.EvaluationMetrics;
import dev.finetune.ml.eval.Evaluator;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.storage.StoredObject;
import dev.finetune.support.inbox.Inbox;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.testing.TestTrace;
import dev.finetune.testing.TopicSnapshot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * continues the trace of the checkpoint's record (scoring runs off the poll thread); a champion that lacks a
 * label is compared on accuracy only, one whose package cannot be loaded fails the evaluation until it is back,
 * a champion's cached score is reused, and a rollback makes the earlier version the champion; a corrupted or
 * unreadable checkpoint yields a failed evaluation and the service stays ready and keeps consuming. The test split
 * is the one the candidate's lineage names: no manifest is stored, and decoys where one was read are ignored; a
 * lineage without a test split, or with another checksum, fails the candidate with the reason. Topics are
 * read with {@link TopicSnapshot}, so "exactly one" counts every record on the topic.
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

    @Inject
    EvaluationSettings settings;

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
        EvaluationFixtures.StoredDataset dataset = EvaluationFixtures.storeDataset(store, model);
        byte[] bytes = EvaluationFixtures.candidatePackage();
        StoredObject checkpoint = store.put("models/" + run + "/ckpt-5/model.zip", bytes, "application/zip");
        CheckpointSaved event = EvaluationFixtures.checkpoint(model, dataset, run, checkpoint, 5, true, false);
        // The same checkpoint announced again as the run's last one: a new event, nothing new to score.
        CheckpointSaved again = new CheckpointSaved(EventMeta.next("training-service", event.correlationId()), model,
                event.lineage(), 1, event.validationMetrics(), true, true);
        CheckpointSaved notACandidate = EvaluationFixtures.checkpoint(model, dataset, run, checkpoint, 4, false, false);

        produce(Topics.TRAINING_CHECKPOINTS, run, notACandidate, event, event /* redelivery */, again);

        EvaluationCompleted completed = awaitCompleted(model);
        assertThat(completed.status()).isEqualTo(EvaluationCompleted.Status.SUCCEEDED);
        assertThat(completed.lineage()).isEqualTo(event.lineage());
        assertThat(completed.correlationId()).isEqualTo(event.correlationId());
        assertThat(completed.champion()).isNull();
        assertThat(completed.reportUri()).isEqualTo("s3://finetune/reports/" + run + "/ckpt-5/report.json");

        // The metrics are what the model library computes directly on the same test split.
        EvaluationMetrics direct;
        try (Classifier classifier = engine().load(EvaluationFixtures.read(bytes))) {
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

        // All four records were consumed (they share the run's partition and are processed in order, so the
        // redelivery was done before `again` reached the inbox), and only one evaluation came out of them: every
        // record on evaluations.completed for this model, and every row of the run.
        await().atMost(Duration.ofSeconds(60)).until(() -> inbox.seen(again.eventId()) && inbox.seen(notACandidate.eventId()));
        assertThat(completedEvents(model)).as("every evaluations.completed of model %s", model)
                .extracting(EvaluationCompleted::evaluationId).containsExactly(completed.evaluationId());

        // The row, through REST: the run has exactly one evaluation row, scored or failed.
        given().auth().oauth2(TestTokens.teamA()).queryParam("run", run).queryParam("limit", 500).get("/evaluations").then().statusCode(200)
                .body("size()", equalTo(1))
                .body("[0].id", equalTo(completed.evaluationId()))
                .body("[0].status", equalTo("SUCCEEDED"))
                .body("[0].checkpoint", equalTo("ckpt-5"))
                .body("[0].links.confusionMatrix", equalTo("/evaluations/" + completed.evaluationId() + "/confusion.svg"));
        given().auth().oauth2(TestTokens.teamA()).queryParam("model", model).get("/evaluations").then().statusCode(200).body("size()", equalTo(1));
        given().auth().oauth2(TestTokens.teamA()).get("/evaluations/" + completed.evaluationId()).then().statusCode(200)
                .body("evaluation.testSplit.examples", equalTo(30))
                .body("report.evaluationId", equalTo(completed.evaluationId()))
                .body("report.slices.lengthThresholds.mediumFromChars", equalTo(64));
        given().auth().oauth2(TestTokens.teamA()).get("/evaluations/" + completed.evaluationId() + "/confusion.svg").then().statusCode(200)
                .contentType("image/svg+xml").body(containsString("<svg"));
        given().auth().oauth2(TestTokens.teamA()).get("/evaluations/" + completed.evaluationId() + "/reliability.svg").then().statusCode(200)
                .body(containsString("ECE"));
        given().auth().oauth2(TestTokens.teamA()).get("/evaluations/eval-nope").then().statusCode(404).contentType("application/problem+json")
                .body("type", org.hamcrest.Matchers.equalTo("https://finetune.dev/problems/evaluation-not-found"));
    }

    @Test
    void theTestSplitIsTheOneTheLineageNamesAndNothingElse() throws Exception {
        String model = "lineage-" + UUID.randomUUID();
        String run = "run-" + UUID.randomUUID();
        // The lineage's split lies where no layout would guess it, with fewer examples than the fixture's usual 30.
        List<Example> examples = EvaluationFixtures.examples(21, 4);
        EvaluationFixtures.StoredDataset dataset = EvaluationFixtures.storeDataset(store, model,
                "elsewhere/" + model + "/held-out.jsonl.gz", examples);
        // Decoys where the manifest-reading and layout-guessing reader looked: a manifest at the lineage's
        // datasetManifestUri naming another split, and that other split as test.jsonl.gz next to it.
        EvaluationFixtures.StoredDataset decoy = EvaluationFixtures.storeDataset(store, model);
        DatasetPrepared.SplitRef decoySplit = decoy.splits().get("test");
        assertThat(decoy.manifestUri()).isEqualTo(dataset.manifestUri());
        store.put(ObjectUri.parse(dataset.manifestUri()).key(), """
                {"dataset":"%s","version":1,"splits":{"test":{"uri":"%s","sha256":"%s","examples":30}}}"""
                .formatted(model, decoySplit.uri(), decoySplit.sha256()).getBytes(StandardCharsets.UTF_8),
                "application/json");
        StoredObject checkpoint = store.put("models/" + run + "/ckpt-2/model.zip", EvaluationFixtures.candidatePackage(),
                "application/zip");
        CheckpointSaved event = EvaluationFixtures.checkpoint(model, dataset, run, checkpoint, 2, true, false);
        produce(Topics.TRAINING_CHECKPOINTS, run, event);

        EvaluationCompleted completed = awaitCompleted(model);
        assertThat(completed.status()).as("reason: %s", completed.reason()).isEqualTo(EvaluationCompleted.Status.SUCCEEDED);
        assertThat(completed.lineage()).isEqualTo(event.lineage()); // the splits travel on to the registry
        DatasetPrepared.SplitRef test = dataset.splits().get("test");
        assertThat(report(completed).path("testSplit").path("uri").asText()).isEqualTo(test.uri());
        assertThat(report(completed).path("testSplit").path("sha256").asText()).isEqualTo(test.sha256());
        assertThat(report(completed).path("testSplit").path("examples").asInt()).isEqualTo(21);
        try (Classifier classifier = engine().load(EvaluationFixtures.read(EvaluationFixtures.candidatePackage()))) {
            assertThat(completed.metrics().get("accuracy"))
                    .isCloseTo(Evaluator.evaluate(classifier, examples).accuracy(), within(1e-9));
        }
        given().auth().oauth2(TestTokens.teamA()).get("/evaluations/" + completed.evaluationId()).then().statusCode(200)
                .body("evaluation.lineage.splits.test.uri", equalTo(test.uri()))
                .body("evaluation.testSplit.sha256", equalTo(test.sha256()));
    }

    @Test
    void aLineageWithoutATestSplitOrWithAnotherChecksumFailsTheCandidateSayingSo() throws Exception {
        String model = "nosplit-" + UUID.randomUUID();
        String run = "run-" + UUID.randomUUID();
        EvaluationFixtures.StoredDataset dataset = EvaluationFixtures.storeDataset(store, model);
        StoredObject checkpoint = store.put("models/" + run + "/ckpt-1/model.zip", EvaluationFixtures.candidatePackage(),
                "application/zip");
        // A candidate announced before lineages carried the splits (the record as it would sit in the topic), even
        // though its split is stored where dataset-service keeps it: nothing guesses it.
        CheckpointSaved older = EvaluationFixtures.checkpoint(model, dataset, run, checkpoint, 1, true, false);
        com.fasterxml.jackson.databind.node.ObjectNode record =
                (com.fasterxml.jackson.databind.node.ObjectNode) EventCodec.mapper().readTree(EventCodec.encode(older));
        ((com.fasterxml.jackson.databind.node.ObjectNode) record.get("lineage")).remove("splits");
        kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.TRAINING_CHECKPOINTS, run, record.toString()))
                .awaitCompletion();
        // A lineage whose test split is not the bytes stored under its URI.
        DatasetPrepared.SplitRef test = dataset.splits().get("test");
        CheckpointSaved tampered = EvaluationFixtures.checkpoint(model, new EvaluationFixtures.StoredDataset(
                dataset.manifestUri(), Map.of("test", new DatasetPrepared.SplitRef(test.uri(), "0".repeat(64), 30))),
                run, checkpoint, 1, true, true);
        produce(Topics.TRAINING_CHECKPOINTS, run, tampered);

        List<EvaluationCompleted> failed = awaitCompletedRecords(model, 2).stream()
                .map(r -> EventCodec.decode(r.value(), EvaluationCompleted.class)).toList();
        assertThat(failed).allSatisfy(e -> assertThat(e.status()).isEqualTo(EvaluationCompleted.Status.FAILED));
        assertThat(failed.get(0).reason()).isEqualTo("lineage of checkpoint " + checkpoint.uri() + " names no test "
                + "split (announced before lineages carried the splits); train the data set version again to evaluate it");
        assertThat(failed.get(0).lineage().splits()).isEmpty();
        assertThat(failed.get(1).reason()).isEqualTo("test split " + test.uri() + ": sha256 mismatch (lineage says "
                + "0".repeat(64) + ", read " + test.sha256() + ")");
        assertThat(failed.get(1).lineage().splits()).isEqualTo(tampered.lineage().splits());
    }

    @Test
    void withAChampionTheReportHoldsThePairedComparison() throws Exception {
        String model = "champ-" + UUID.randomUUID();
        String run = "run-" + UUID.randomUUID();
        EvaluationFixtures.StoredDataset dataset = EvaluationFixtures.storeDataset(store, model);
        StoredObject championPackage = store.put("models/run-champion-" + model + "/ckpt-1/model.zip",
                EvaluationFixtures.championPackage(), "application/zip");
        ModelPromoted promoted = EvaluationFixtures.promoted(model, 3, dataset, championPackage);
        produce(Topics.MODELS_PROMOTED, model, promoted);
        await().atMost(Duration.ofSeconds(60)).until(() -> champions.find(model).isPresent());

        StoredObject checkpoint = store.put("models/" + run + "/ckpt-7/model.zip", EvaluationFixtures.candidatePackage(),
                "application/zip");
        TestTrace trace = TestTrace.random();
        kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.TRAINING_CHECKPOINTS, null, run,
                EventCodec.encode(EvaluationFixtures.checkpoint(model, dataset, run, checkpoint, 7, true, true)),
                trace.headers())).awaitCompletion();

        ConsumerRecord<String, String> record = awaitCompletedRecords(model, 1).get(0);
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
        EvaluationFixtures.StoredDataset dataset = EvaluationFixtures.storeDataset(store, model);
        byte[] bytes = EvaluationFixtures.candidatePackage().clone();
        StoredObject original = store.put("models/" + run + "/ckpt-1/model.zip", bytes, "application/zip");
        bytes[bytes.length / 2] ^= 0x5a; // the object changes after the event announced its sha256
        store.put("models/" + run + "/ckpt-1/model.zip", bytes, "application/zip");
        CheckpointSaved corrupted = EvaluationFixtures.checkpoint(model, dataset, run, original, 1, true, false);
        StoredObject notAZip = store.put("models/" + run + "/ckpt-2/model.zip",
                "not a model".getBytes(StandardCharsets.UTF_8), "application/zip");
        CheckpointSaved unreadable = EvaluationFixtures.checkpoint(model, dataset, run, notAZip, 2, true, false);

        String malformed = EventCodec.encode(corrupted).replaceFirst("\"modelName\"\\s*:", "\"model\":");
        kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.TRAINING_CHECKPOINTS, run, malformed))
                .awaitCompletion();
        produce(Topics.TRAINING_CHECKPOINTS, run, corrupted, unreadable);

        // Not a CheckpointSaved at all: dead-lettered with the reason, and the records behind it still flow.
        String deadLetters = Topics.deadLetter(Topics.TRAINING_CHECKPOINTS, "evaluation-service");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                TopicSnapshot.read(bootstrapServers, deadLetters).stream().filter(r -> run.equals(r.key()))).hasSize(1));
        ConsumerRecord<String, String> dead = TopicSnapshot.read(bootstrapServers, deadLetters).stream()
                .filter(r -> run.equals(r.key())).findFirst().orElseThrow();
        assertThat(new String(dead.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8))
                .contains("missing required field 'modelName'");

        // Both records behind it were consumed, and each yielded exactly one (failed) evaluation.
        await().atMost(SCORING).until(() -> inbox.seen(corrupted.eventId()) && inbox.seen(unreadable.eventId()));
        List<EvaluationCompleted> failed = completedEvents(model);
        assertThat(failed).hasSize(2);
        assertThat(failed).allSatisfy(e -> {
            assertThat(e.status()).isEqualTo(EvaluationCompleted.Status.FAILED);
            assertThat(e.reportUri()).isNull();
        });
        assertThat(failed.get(0).lineage().step()).isEqualTo(1);
        assertThat(failed.get(0).reason()).contains("sha256 mismatch").contains(original.sha256())
                .contains(original.uri().toString());
        assertThat(failed.get(1).reason()).contains("not a readable model package");

        given().auth().oauth2(TestTokens.teamA()).get("/q/health/ready").then().statusCode(200);
        given().auth().oauth2(TestTokens.teamA()).queryParam("run", run).get("/evaluations").then().statusCode(200)
                .body("size()", equalTo(2)).body("[0].status", equalTo("FAILED"));
        given().auth().oauth2(TestTokens.teamA()).get("/evaluations/" + failed.get(0).evaluationId() + "/confusion.svg").then().statusCode(404)
                .contentType("application/problem+json")
                .body("type", equalTo("https://finetune.dev/problems/picture-not-found"));
    }

    @Test
    void aChampionLackingALabelOfTheSplitIsComparedOnAccuracyOnly() throws Exception {
        String model = "newlabel-" + UUID.randomUUID();
        String run = "run-" + UUID.randomUUID();
        EvaluationFixtures.StoredDataset dataset = EvaluationFixtures.storeDataset(store, model);
        // Production was trained before the data set gained "weather": it has no probability for that label, so
        // only accuracy (a predicted label name against the true one) can be compared.
        byte[] championBytes = EvaluationFixtures.twoLabelPackage();
        assertThat(EvaluationFixtures.read(championBytes).labels()).containsExactly("food", "sports");
        StoredObject championPackage = store.put("models/run-champion-" + model + "/ckpt-1/model.zip", championBytes,
                "application/zip");
        ModelPromoted promoted = EvaluationFixtures.promoted(model, 4, dataset, championPackage);
        produce(Topics.MODELS_PROMOTED, model, promoted);
        awaitChampion(model, promoted);

        StoredObject checkpoint = store.put("models/" + run + "/ckpt-3/model.zip", EvaluationFixtures.candidatePackage(),
                "application/zip");
        CheckpointSaved event = EvaluationFixtures.checkpoint(model, dataset, run, checkpoint, 3, true, false);
        produce(Topics.TRAINING_CHECKPOINTS, run, event);

        EvaluationCompleted completed = awaitCompleted(model);
        assertThat(completed.status()).as("reason: %s", completed.reason()).isEqualTo(EvaluationCompleted.Status.SUCCEEDED);
        // The candidate itself is scored in full; the comparison holds accuracy only.
        assertThat(completed.metrics()).containsKeys("accuracy", "macroF1", "logLoss", "ece");
        EvaluationCompleted.ChampionComparison comparison = completed.champion();
        assertThat(comparison).isNotNull();
        assertThat(comparison.championVersion()).isEqualTo(4);
        assertThat(comparison.deltas()).containsOnlyKeys("accuracy");

        List<Example> test = EvaluationFixtures.test();
        boolean[] candidateRight = correct(EvaluationFixtures.candidatePackage(), test);
        boolean[] championRight = correct(championBytes, test);
        int candidateOnly = 0;
        int championOnly = 0;
        int championCorrect = 0;
        for (int i = 0; i < test.size(); i++) {
            candidateOnly += candidateRight[i] && !championRight[i] ? 1 : 0;
            championOnly += !candidateRight[i] && championRight[i] ? 1 : 0;
            championCorrect += championRight[i] ? 1 : 0;
            if (test.get(i).label().equals("weather")) {
                assertThat(championRight[i]).as("the champion cannot predict weather (example %d)", i).isFalse();
            }
        }
        double championAccuracy = championCorrect / (double) test.size();
        assertThat(comparison.deltas().get("accuracy"))
                .isCloseTo(completed.metrics().get("accuracy") - championAccuracy, within(1e-9));
        assertThat(comparison.mcnemarPValue()).isEqualTo(McNemar.exactPValue(candidateOnly, championOnly));

        JsonNode champion = report(completed).path("champion");
        assertThat(champion.path("championMetrics").properties()).extracting(Map.Entry::getKey)
                .containsExactly("accuracy");
        assertThat(champion.path("championMetrics").path("accuracy").asDouble()).isCloseTo(championAccuracy, within(1e-9));
        assertThat(champion.path("candidateOnlyCorrect").asInt()).isEqualTo(candidateOnly);
        assertThat(champion.path("championOnlyCorrect").asInt()).isEqualTo(championOnly);
        // What is cached for the next candidate is the same accuracy-only score.
        assertThat(champions.score(model, 4, dataset.testSha256())).get()
                .satisfies(score -> assertThat(EventCodec.mapper().readTree(score.metrics).properties())
                        .extracting(Map.Entry::getKey).containsExactly("accuracy"));
    }

    @Test
    void aChampionWhosePackageCannotBeLoadedFailsTheEvaluationWithTheReasonUntilItIsBack() throws Exception {
        String model = "brokenchamp-" + UUID.randomUUID();
        String run = "run-" + UUID.randomUUID();
        EvaluationFixtures.StoredDataset dataset = EvaluationFixtures.storeDataset(store, model);
        String championKey = "models/run-champion-" + model + "/ckpt-1/model.zip";
        StoredObject championPackage = store.put(championKey, EvaluationFixtures.championPackage(), "application/zip");
        ModelPromoted promoted = EvaluationFixtures.promoted(model, 2, dataset, championPackage);
        produce(Topics.MODELS_PROMOTED, model, promoted);
        awaitChampion(model, promoted);
        StoredObject checkpoint = store.put("models/" + run + "/ckpt-6/model.zip", EvaluationFixtures.candidatePackage(),
                "application/zip");
        CheckpointSaved best = EvaluationFixtures.checkpoint(model, dataset, run, checkpoint, 6, true, false);

        // 1. The champion's package is gone: the candidate cannot be compared, so the evaluation fails and says why.
        store.delete(championPackage.uri());
        produce(Topics.TRAINING_CHECKPOINTS, run, best);
        EvaluationCompleted missing = EventCodec.decode(awaitCompletedRecords(model, 1).get(0).value(),
                EvaluationCompleted.class);
        assertThat(missing.status()).isEqualTo(EvaluationCompleted.Status.FAILED);
        assertThat(missing.reason()).contains("champion " + model + " v2").contains(championPackage.uri().toString())
                .contains("does not exist");
        assertThat(missing.reportUri()).isNull();
        assertThat(missing.champion()).isNull();

        // 2. The champion's package is back but its bytes changed: refused like a candidate's, with both checksums.
        byte[] corrupted = EvaluationFixtures.championPackage().clone();
        corrupted[corrupted.length / 2] ^= 0x5a;
        StoredObject changed = store.put(championKey, corrupted, "application/zip");
        CheckpointSaved last = new CheckpointSaved(EventMeta.next("training-service", best.correlationId()), model,
                best.lineage(), 1, best.validationMetrics(), true, true);
        produce(Topics.TRAINING_CHECKPOINTS, run, last);
        EvaluationCompleted mismatch = EventCodec.decode(awaitCompletedRecords(model, 2).get(1).value(),
                EvaluationCompleted.class);
        assertThat(mismatch.status()).isEqualTo(EvaluationCompleted.Status.FAILED);
        assertThat(mismatch.reason()).contains("champion " + model + " v2").contains("sha256 mismatch")
                .contains(championPackage.sha256()).contains(changed.sha256());
        // Nothing was cached from the failed attempts.
        assertThat(champions.score(model, 2, dataset.testSha256())).isEmpty();

        // 3. The package restored: a later announcement of the same checkpoint is scored and compared (a failure
        //    is not final), and the service stayed ready throughout.
        store.put(championKey, EvaluationFixtures.championPackage(), "application/zip");
        CheckpointSaved replay = new CheckpointSaved(EventMeta.next("training-service", best.correlationId()), model,
                best.lineage(), 1, best.validationMetrics(), true, true);
        produce(Topics.TRAINING_CHECKPOINTS, run, replay);
        EvaluationCompleted scored = EventCodec.decode(awaitCompletedRecords(model, 3).get(2).value(),
                EvaluationCompleted.class);
        assertThat(scored.status()).as("reason: %s", scored.reason()).isEqualTo(EvaluationCompleted.Status.SUCCEEDED);
        assertThat(scored.champion()).isNotNull();
        assertThat(scored.champion().championVersion()).isEqualTo(2);

        await().atMost(Duration.ofSeconds(60)).until(() -> inbox.seen(replay.eventId()));
        assertThat(completedEvents(model)).extracting(EvaluationCompleted::evaluationId)
                .containsExactly(missing.evaluationId(), mismatch.evaluationId(), scored.evaluationId());
        given().auth().oauth2(TestTokens.teamA()).get("/q/health/ready").then().statusCode(200);
        given().auth().oauth2(TestTokens.teamA()).queryParam("run", run).get("/evaluations").then().statusCode(200)
                .body("size()", equalTo(3))
                .body("status", org.hamcrest.Matchers.contains("SUCCEEDED", "FAILED", "FAILED"));
    }

    @Test
    void aFailedEvaluationIsRetriedOnceItsPackageIsBackAndAnnouncedOnce() {
        String model = "retry-" + UUID.randomUUID();
        String run = "run-" + UUID.randomUUID();
        EvaluationFixtures.StoredDataset dataset = EvaluationFixtures.storeDataset(store, model);
        byte[] bytes = EvaluationFixtures.candidatePackage();
        StoredObject checkpoint = store.put("models/" + run + "/ckpt-9/model.zip", bytes, "application/zip");
        CheckpointSaved best = EvaluationFixtures.checkpoint(model, dataset, run, checkpoint, 9, true, false);

        // The candidate's package is gone when its announcement is scored: a FAILED evaluation, announced.
        store.delete(checkpoint.uri());
        produce(Topics.TRAINING_CHECKPOINTS, run, best);
        EvaluationCompleted failed = awaitCompleted(model);
        assertThat(failed.status()).isEqualTo(EvaluationCompleted.Status.FAILED);
        assertThat(failed.reason()).contains(checkpoint.uri().toString());
        given().auth().oauth2(TestTokens.teamA()).post("/evaluations/" + failed.evaluationId() + "/retry").then().statusCode(201)
                .body("status", equalTo("FAILED")).body("retryOf", equalTo(failed.evaluationId()));

        // The package is back: the retry scores it, and answers with the new evaluation.
        store.put("models/" + run + "/ckpt-9/model.zip", bytes, "application/zip");
        io.restassured.response.ExtractableResponse<io.restassured.response.Response> retried =
                given().auth().oauth2(TestTokens.teamA()).post("/evaluations/" + failed.evaluationId() + "/retry").then().statusCode(201)
                        .body("status", equalTo("SUCCEEDED"))
                        .body("retryOf", equalTo(failed.evaluationId()))
                        .body("lineage", equalTo(given().auth().oauth2(TestTokens.teamA()).get("/evaluations/" + failed.evaluationId()).then()
                                .extract().path("evaluation.lineage")))
                        .extract();
        String id = retried.path("id");
        assertThat(retried.header("Location")).endsWith("/evaluations/" + id);

        // Scored once: retrying the failure again, or the success, is refused and announces nothing.
        given().auth().oauth2(TestTokens.teamA()).post("/evaluations/" + failed.evaluationId() + "/retry").then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", equalTo("checkpoint " + checkpoint.uri() + " was scored on its test split already, as evaluation " + id));
        given().auth().oauth2(TestTokens.teamA()).post("/evaluations/" + id + "/retry").then().statusCode(409).contentType("application/problem+json")
                .body("detail", equalTo("evaluation " + id + " is SUCCEEDED: only a failed evaluation can be retried"));
        given().auth().oauth2(TestTokens.teamA()).post("/evaluations/eval-nope/retry").then().statusCode(404).contentType("application/problem+json");

        // Through the outbox: the first failure, the failed retry and the one success, each announced once.
        List<ConsumerRecord<String, String>> records = awaitCompletedRecords(model, 3);
        List<EvaluationCompleted> events = completedEvents(model);
        assertThat(events).hasSize(3);
        assertThat(events).extracting(EvaluationCompleted::status).containsExactly(EvaluationCompleted.Status.FAILED,
                EvaluationCompleted.Status.FAILED, EvaluationCompleted.Status.SUCCEEDED);
        assertThat(events.get(2).evaluationId()).isEqualTo(id);
        assertThat(events.get(2).lineage()).isEqualTo(best.lineage());
        assertThat(events.get(2).correlationId()).isEqualTo(best.correlationId());
        assertThat(records).hasSize(3);
    }

    @Test
    void aCachedChampionScoreIsReusedNotRecomputed() throws Exception {
        String model = "cached-" + UUID.randomUUID();
        String run = "run-" + UUID.randomUUID();
        EvaluationFixtures.StoredDataset dataset = EvaluationFixtures.storeDataset(store, model);
        StoredObject championPackage = store.put("models/run-champion-" + model + "/ckpt-1/model.zip",
                EvaluationFixtures.championPackage(), "application/zip");
        ModelPromoted promoted = EvaluationFixtures.promoted(model, 1, dataset, championPackage);
        produce(Topics.MODELS_PROMOTED, model, promoted);
        awaitChampion(model, promoted);

        StoredObject first = store.put("models/" + run + "/ckpt-2/model.zip", EvaluationFixtures.candidatePackage(),
                "application/zip");
        produce(Topics.TRAINING_CHECKPOINTS, run, EvaluationFixtures.checkpoint(model, dataset, run, first, 2, true, false));
        EvaluationCompleted firstCompleted = awaitCompleted(model);
        assertThat(firstCompleted.status()).as("reason: %s", firstCompleted.reason())
                .isEqualTo(EvaluationCompleted.Status.SUCCEEDED);
        JsonNode firstChampion = report(firstCompleted).path("champion");
        assertThat(firstChampion.path("championMetrics").properties()).extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder("accuracy", "macroF1", "logLoss", "ece");
        assertThat(champions.score(model, 1, dataset.testSha256())).isPresent();

        // The champion's package disappears: scoring it again could only fail, so a second comparison that
        // succeeds with the same champion figures was served from the cache.
        store.delete(championPackage.uri());
        assertThat(store.exists(championPackage.uri())).isFalse();
        // The second candidate is a copy of the champion itself (another checkpoint of the same weights), so the
        // cached predictions must also agree with the champion example by example: no difference at all.
        StoredObject second = store.put("models/" + run + "/ckpt-4/model.zip", EvaluationFixtures.championPackage(),
                "application/zip");
        produce(Topics.TRAINING_CHECKPOINTS, run, EvaluationFixtures.checkpoint(model, dataset, run, second, 4, true, true));
        EvaluationCompleted secondCompleted = EventCodec.decode(awaitCompletedRecords(model, 2).get(1).value(),
                EvaluationCompleted.class);
        assertThat(secondCompleted.status()).as("reason: %s", secondCompleted.reason())
                .isEqualTo(EvaluationCompleted.Status.SUCCEEDED);
        assertThat(secondCompleted.lineage().checkpointSha256()).isEqualTo(second.sha256());
        JsonNode secondChampion = report(secondCompleted).path("champion");
        assertThat(secondChampion.path("championVersion").asInt()).isEqualTo(1);
        assertThat(secondChampion.path("championMetrics")).isEqualTo(firstChampion.path("championMetrics"));
        assertThat(secondChampion.path("candidateOnlyCorrect").asInt()).isZero();
        assertThat(secondChampion.path("championOnlyCorrect").asInt()).isZero();
        assertThat(secondCompleted.champion().mcnemarPValue()).isEqualTo(1.0);
        assertThat(secondCompleted.champion().deltas().get("accuracy")).isCloseTo(0.0, within(1e-9));
        assertThat(secondCompleted.champion().deltas().get("macroF1")).isCloseTo(0.0, within(1e-9));
    }

    @Test
    void aRollbackMakesTheEarlierVersionTheChampionOfTheNextComparison() throws Exception {
        String model = "rollback-" + UUID.randomUUID();
        String run = "run-" + UUID.randomUUID();
        EvaluationFixtures.StoredDataset dataset = EvaluationFixtures.storeDataset(store, model);
        StoredObject v1 = store.put("models/run-v1-" + model + "/ckpt-1/model.zip", EvaluationFixtures.championPackage(),
                "application/zip");
        StoredObject v2 = store.put("models/run-v2-" + model + "/ckpt-1/model.zip", EvaluationFixtures.twoLabelPackage(),
                "application/zip");
        ModelPromoted first = EvaluationFixtures.promoted(model, 1, null, ModelPromoted.Trigger.POLICY, dataset, v1);
        ModelPromoted second = EvaluationFixtures.promoted(model, 2, 1, ModelPromoted.Trigger.POLICY, dataset, v2);
        // registry-service's POST /models/{name}/rollback: production moves back to v1, announced as a promotion
        // of v1 with trigger ROLLBACK and the version it left as previousVersion.
        ModelPromoted rollback = EvaluationFixtures.promoted(model, 1, 2, ModelPromoted.Trigger.ROLLBACK, dataset, v1);
        assertThat(rollback.occurredAt()).isAfter(second.occurredAt());
        produce(Topics.MODELS_PROMOTED, model, first, second, rollback);
        awaitChampion(model, rollback);
        Champion champion = champions.find(model).orElseThrow();
        assertThat(champion.version).isEqualTo(1);
        assertThat(champion.packageSha256).isEqualTo(v1.sha256());

        StoredObject checkpoint = store.put("models/" + run + "/ckpt-8/model.zip", EvaluationFixtures.candidatePackage(),
                "application/zip");
        produce(Topics.TRAINING_CHECKPOINTS, run, EvaluationFixtures.checkpoint(model, dataset, run, checkpoint, 8, true, false));
        EvaluationCompleted completed = awaitCompleted(model);
        assertThat(completed.status()).as("reason: %s", completed.reason()).isEqualTo(EvaluationCompleted.Status.SUCCEEDED);
        assertThat(completed.champion().championVersion()).isEqualTo(1);
        JsonNode comparison = report(completed).path("champion");
        assertThat(comparison.path("championPackageUri").asText()).isEqualTo(v1.uri().toString());
        assertThat(comparison.path("championPackageSha256").asText()).isEqualTo(v1.sha256());
        // Compared with v1's predictions (v2 knows two labels only and would have left macroF1 out).
        assertThat(completed.champion().deltas()).containsOnlyKeys("accuracy", "macroF1", "logLoss", "ece");
        List<Example> test = EvaluationFixtures.test();
        boolean[] candidateRight = correct(EvaluationFixtures.candidatePackage(), test);
        boolean[] v1Right = correct(EvaluationFixtures.championPackage(), test);
        int candidateOnly = 0;
        int championOnly = 0;
        for (int i = 0; i < test.size(); i++) {
            candidateOnly += candidateRight[i] && !v1Right[i] ? 1 : 0;
            championOnly += !candidateRight[i] && v1Right[i] ? 1 : 0;
        }
        assertThat(comparison.path("candidateOnlyCorrect").asInt()).isEqualTo(candidateOnly);
        assertThat(comparison.path("championOnlyCorrect").asInt()).isEqualTo(championOnly);
        assertThat(champions.score(model, 1, dataset.testSha256())).isPresent();
        assertThat(champions.score(model, 2, dataset.testSha256())).isEmpty();
    }

    private void produce(String topic, String key, dev.finetune.events.PlatformEvent... events) {
        kafka.produceStrings().fromRecords(java.util.Arrays.stream(events)
                .map(e -> new ProducerRecord<>(topic, key, EventCodec.encode(e))).toList()).awaitCompletion();
    }

    /** The model's first evaluations.completed, once there is one. */
    private EvaluationCompleted awaitCompleted(String model) {
        return EventCodec.decode(awaitCompletedRecords(model, 1).get(0).value(), EvaluationCompleted.class);
    }

    /** The model's records on evaluations.completed once there are at least {@code count}, oldest first. */
    private List<ConsumerRecord<String, String>> awaitCompletedRecords(String model, int count) {
        return await().atMost(SCORING).until(() -> completedRecords(model), records -> records.size() >= count);
    }

    /** Every record on evaluations.completed of the model so far (one partition: the key), oldest first. */
    private List<ConsumerRecord<String, String>> completedRecords(String model) {
        return TopicSnapshot.read(bootstrapServers, Topics.EVALUATIONS_COMPLETED).stream()
                .filter(r -> model.equals(r.key())).toList();
    }

    /** Every evaluations.completed of the model so far, oldest first. */
    private List<EvaluationCompleted> completedEvents(String model) {
        return TopicSnapshot.values(bootstrapServers, Topics.EVALUATIONS_COMPLETED, model).stream()
                .map(v -> EventCodec.decode(v, EvaluationCompleted.class)).toList();
    }

    private JsonNode report(EvaluationCompleted completed) throws Exception {
        return EventCodec.mapper().readTree(store.read(ObjectUri.parse(completed.reportUri())));
    }

    /** Until the model's champion is the one this promotion announced (by its event id, so not an earlier one). */
    private void awaitChampion(String model, ModelPromoted promotion) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(champions.find(model)
                        .map(c -> "v" + c.version + " from event " + c.eventId))
                .as("champion of %s", model).contains("v" + promotion.version() + " from event " + promotion.eventId()));
    }

    /** The engine the service scores with ({@code evaluation.engine}): the direct figures must be that engine's. */
    private InferenceEngine engine() {
        return InferenceEngine.of(settings.engine());
    }

    private boolean[] correct(byte[] modelPackage, List<Example> test) {
        try (Classifier classifier = engine().load(EvaluationFixtures.read(modelPackage))) {
            var predictions = classifier.predict(test.stream().map(Example::text).toList());
            boolean[] right = new boolean[test.size()];
            for (int i = 0; i < right.length; i++) {
                right[i] = predictions.get(i).label().equals(test.get(i).label());
            }
            return right;
        }
    }
}

package dev.finetune.training.runner;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Topics;
import dev.finetune.events.TrainingCompleted;
import dev.finetune.events.TrainingFailed;
import dev.finetune.events.TrainingProgress;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.support.inbox.Inbox;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.testing.TestTrace;
import dev.finetune.testing.TopicSnapshot;
import dev.finetune.training.TrainingFixtures;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Training through the real broker, S3Proxy and PostgreSQL, with the real model: a prepared data set
 * becomes progress events, checkpoints in S3 whose sha256 matches, and one completion, all in the trace of
 * the datasets.prepared record; duplicates train once; a stopped runner resumes from its checkpoint, still
 * in that trace; cancel stops a run.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class TrainingRunIT {

    /** A few seconds of full fine-tuning on 2 cores: 24 examples, batches of 8, 16 tokens. */
    private static final String TINY = """
            {"strategy": "full", "epochs": 2, "batchSize": 8, "maxLength": 16, "earlyStoppingPatience": 0}""";

    @Inject
    ArtifactStore store;

    @Inject
    RunStore runs;

    @Inject
    RunExecutor executor;

    @Inject
    Inbox inbox;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    KafkaCompanion kafka;

    @BeforeEach
    void connect() {
        kafka = new KafkaCompanion(bootstrapServers);
    }

    @AfterEach
    void disconnect() {
        executor.start(); // a test that stopped the runner leaves it running for the next
        // Whatever a failed test left queued or running must not hold the single slot for the next test.
        for (RunStatus status : List.of(RunStatus.QUEUED, RunStatus.RUNNING)) {
            runs.list(null, status, 100).forEach(r -> runs.requestCancel(r.id));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> executor.executing().isEmpty());
        kafka.close();
    }

    @Test
    void aPreparedDataSetTrainsOnceWithProgressCheckpointsAndOneCompletion() throws Exception {
        String dataset = "topics-" + UUID.randomUUID();
        configure(dataset, TINY);
        DatasetPrepared event = TrainingFixtures.prepared(store, dataset, 24);
        DatasetPrepared sameVersionAgain = new DatasetPrepared(EventMeta.next("dataset-service", event.correlationId()),
                dataset, event.team(), 1, event.manifestUri(), event.splits(), event.labels(), event.contentSha256());
        TestTrace trace = TestTrace.random();

        kafka.produceStrings().fromRecords(
                new ProducerRecord<>(Topics.DATASETS_PREPARED, null, dataset, EventCodec.encode(event), trace.headers()),
                new ProducerRecord<>(Topics.DATASETS_PREPARED, dataset, EventCodec.encode(event)), // redelivery
                new ProducerRecord<>(Topics.DATASETS_PREPARED, dataset, EventCodec.encode(sameVersionAgain)))
                .awaitCompletion();

        Run run = awaitOnlyRun(dataset);
        TrainingCompleted completed = awaitCompleted(run.id);
        assertThat(completed.correlationId()).isEqualTo(event.correlationId());
        assertThat(completed.steps()).isEqualTo(6);
        assertThat(completed.best().checkpointUri()).startsWith("s3://finetune/models/" + run.id + "/ckpt-");
        assertThat(sha256Of(completed.best().checkpointUri())).isEqualTo(completed.best().checkpointSha256());

        List<CheckpointSaved> checkpoints = records(Topics.TRAINING_CHECKPOINTS, run.id, CheckpointSaved.class);
        assertThat(checkpoints).isNotEmpty().anyMatch(CheckpointSaved::last);
        // Candidates (best, last) stay; resumable ones are kept only until the next one supersedes them.
        for (CheckpointSaved checkpoint : checkpoints.stream().filter(CheckpointSaved::candidate).toList()) {
            assertThat(sha256Of(checkpoint.lineage().checkpointUri())).isEqualTo(checkpoint.lineage().checkpointSha256());
            assertThat(checkpoint.lineage().datasetManifestUri()).isEqualTo(event.manifestUri());
        }
        // Every lineage names the exact splits datasets.prepared announced: evaluation reads the test split there.
        assertThat(checkpoints).allSatisfy(c -> assertThat(c.lineage().splits()).isEqualTo(event.splits()));
        assertThat(completed.best().splits()).isEqualTo(event.splits());
        List<TrainingProgress> progress = records(Topics.TRAINING_PROGRESS, run.id, TrainingProgress.class);
        assertThat(progress).isNotEmpty().allSatisfy(p -> assertThat(p.totalSteps()).isEqualTo(6));
        assertThat(records(Topics.TRAINING_COMPLETED, run.id, TrainingCompleted.class)).hasSize(1);
        assertThat(runs.find(run.id).orElseThrow().status).isEqualTo(RunStatus.SUCCEEDED);
        // The run executed later on a thread of its own; its events still continue the trace of the record.
        for (String topic : List.of(Topics.TRAINING_PROGRESS, Topics.TRAINING_CHECKPOINTS, Topics.TRAINING_COMPLETED)) {
            assertThat(recordsOf(topic, run.id)).as(topic).isNotEmpty()
                    .allSatisfy(r -> assertThat(TestTrace.traceIdOf(r)).isEqualTo(trace.traceId()));
        }

        given().auth().oauth2(TestTokens.teamA()).get("/runs/" + run.id).then().statusCode(200)
                .body("run.status", org.hamcrest.Matchers.equalTo("succeeded"))
                .body("metricsHistory.size()", org.hamcrest.Matchers.equalTo(2));

        // Trained once: both duplicates were consumed (their ids are in the inbox, written in the transaction
        // that would have queued a run), the version has this one run, and the data set one completion.
        await().atMost(Duration.ofSeconds(60)).until(() -> inbox.seen(sameVersionAgain.eventId()));
        assertThat(runs.list(dataset, null, 10)).extracting(r -> r.id).containsExactly(run.id);
        assertThat(TopicSnapshot.read(bootstrapServers, Topics.TRAINING_COMPLETED).stream()
                .map(r -> EventCodec.decode(r.value(), TrainingCompleted.class))
                .filter(c -> dataset.equals(c.best().dataset()))).hasSize(1);
    }

    @Test
    void aStoppedRunnerResumesTheRunFromItsCheckpoint() throws Exception {
        String dataset = "resume-" + UUID.randomUUID();
        configure(dataset, """
                {"strategy": "full", "epochs": 6, "batchSize": 8, "maxLength": 16, "earlyStoppingPatience": 0}""");
        DatasetPrepared event = TrainingFixtures.prepared(store, dataset, 24);
        TestTrace trace = TestTrace.random();
        kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.DATASETS_PREPARED, null, dataset,
                EventCodec.encode(event), trace.headers())).awaitCompletion();
        Run run = awaitOnlyRun(dataset);

        // Stop the runner once the run has stored a resumable checkpoint, as an instance shutting down does.
        await().atMost(Duration.ofMinutes(3)).until(() -> runs.find(run.id).orElseThrow().resumeStep != null);
        executor.stop(Duration.ofMinutes(1));
        Run stopped = runs.find(run.id).orElseThrow();
        assertThat(stopped.status).isEqualTo(RunStatus.QUEUED);
        long resumeStep = stopped.resumeStep;
        assertThat(resumeStep).isBetween(3L, 17L);

        executor.start();
        TrainingCompleted completed = awaitCompleted(run.id);
        assertThat(completed.steps()).isEqualTo(18);
        Run finished = runs.find(run.id).orElseThrow();
        assertThat(finished.attempts).isEqualTo(2);
        List<TrainingProgress> progress = records(Topics.TRAINING_PROGRESS, run.id, TrainingProgress.class);
        // After the restart the run went on from the checkpoint's step, not from step 1.
        assertThat(progress.stream().filter(p -> p.step() == 1)).hasSize(1);
        assertThat(progress).anySatisfy(p -> assertThat(p.step()).isEqualTo((int) resumeStep + 1));
        assertThat(records(Topics.TRAINING_COMPLETED, run.id, TrainingCompleted.class)).hasSize(1);
        // The second attempt (here, or on any instance) read the trace from the run's row.
        assertThat(recordsOf(Topics.TRAINING_COMPLETED, run.id))
                .allSatisfy(r -> assertThat(TestTrace.traceIdOf(r)).isEqualTo(trace.traceId()));
        // Resumable checkpoints (optimizer state: three times the model) are superseded as the run goes and
        // deleted once it has ended; the candidates stay.
        assertThat(store.list("models/" + run.id + "/")).isNotEmpty().noneMatch(k -> k.endsWith("resumable.zip"));
    }

    @Test
    void cancelStopsARunningRunWithinSeconds() {
        String dataset = "cancel-" + UUID.randomUUID();
        configure(dataset, """
                {"strategy": "full", "epochs": 100, "batchSize": 4, "maxLength": 16, "earlyStoppingPatience": 0}""");
        DatasetPrepared event = TrainingFixtures.prepared(store, dataset, 24);
        kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.DATASETS_PREPARED, dataset,
                EventCodec.encode(event))).awaitCompletion();
        Run run = awaitOnlyRun(dataset);
        await().atMost(Duration.ofMinutes(3)).until(() -> runs.find(run.id).orElseThrow().step > 0);

        given().auth().oauth2(TestTokens.teamA()).post("/runs/" + run.id + "/cancel").then().statusCode(202).body("cancelRequested", org.hamcrest.Matchers.is(true));
        // About one heartbeat plus one step, then the resumable checkpoint (270 MB) is stored: on a loaded
        // 2-core machine the step and the upload alone took over 20 s.
        await().atMost(Duration.ofSeconds(60)).until(() -> runs.find(run.id).orElseThrow().status == RunStatus.CANCELLED);
        given().auth().oauth2(TestTokens.teamA()).post("/runs/" + run.id + "/cancel").then().statusCode(409)
                .contentType("application/problem+json");
    }

    @Test
    void aRunWhoseSplitIsMissingFailsAtOnceNamingIt() {
        String dataset = "missing-" + UUID.randomUUID();
        configure(dataset, TINY);
        DatasetPrepared event = TrainingFixtures.prepared(store, dataset, 24);
        ObjectUri train = ObjectUri.parse(event.splits().get("train").uri());
        store.delete(train); // not an outage: retrying (for minutes) would not bring it back
        kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.DATASETS_PREPARED, dataset,
                EventCodec.encode(event))).awaitCompletion();
        Run run = awaitOnlyRun(dataset);

        await().atMost(Duration.ofSeconds(30)).until(() -> runs.find(run.id).orElseThrow().status == RunStatus.FAILED);
        assertThat(runs.find(run.id).orElseThrow().failureReason).contains(train.toString());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(recordsOf(Topics.TRAINING_FAILED, run.id))
                .singleElement().satisfies(failed -> assertThat(failed.value()).contains(train.toString())));
        assertThat(recordsOf(Topics.TRAINING_COMPLETED, run.id)).isEmpty();
    }

    @Test
    void aRunWhoseTrainSplitIsNotTheAnnouncedOneFailsOnItsChecksumBeforeTraining() {
        String dataset = "tampered-" + UUID.randomUUID();
        configure(dataset, TINY);
        DatasetPrepared event = TrainingFixtures.prepared(store, dataset, 24);
        DatasetPrepared.SplitRef announced = event.splits().get("train");
        // Other examples, still valid JSON lines, under the announced key: only the checksum can tell.
        String actual = store.put(ObjectUri.parse(announced.uri()).key(), TrainingFixtures.gzip(
                TrainingFixtures.examples(24, 99)), "application/gzip").sha256();
        assertThat(actual).isNotEqualTo(announced.sha256());
        kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.DATASETS_PREPARED, dataset,
                EventCodec.encode(event))).awaitCompletion();
        Run run = awaitOnlyRun(dataset);

        String reason = "train split " + announced.uri() + ": sha256 mismatch (expected " + announced.sha256()
                + ", got " + actual + ")";
        await().atMost(Duration.ofSeconds(60)).until(() -> runs.find(run.id).orElseThrow().status == RunStatus.FAILED);
        assertThat(runs.find(run.id).orElseThrow().failureReason).isEqualTo(reason);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                records(Topics.TRAINING_FAILED, run.id, TrainingFailed.class))
                .singleElement().satisfies(failed -> assertThat(failed.reason()).isEqualTo(reason)));
        // Failed once, before a single step: no progress, no checkpoint, no completion, and not tried again.
        assertThat(runs.find(run.id).orElseThrow().attempts).isEqualTo(1);
        assertThat(recordsOf(Topics.TRAINING_PROGRESS, run.id)).isEmpty();
        assertThat(recordsOf(Topics.TRAINING_CHECKPOINTS, run.id)).isEmpty();
        assertThat(recordsOf(Topics.TRAINING_COMPLETED, run.id)).isEmpty();
    }

    @Test
    void invalidConfigurationsAreRefusedWithProblemJson() {
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"strategy\": \"sideways\"}")
                .put("/training-configs/whatever").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("strategy"));
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"dataset\": \"never-seen\", \"version\": 1}")
                .post("/runs").then().statusCode(404).contentType("application/problem+json");
    }

    private void configure(String dataset, String json) {
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body(json).put("/training-configs/" + dataset).then().statusCode(200);
    }

    private Run awaitOnlyRun(String dataset) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !runs.list(dataset, null, 10).isEmpty());
        List<Run> all = runs.list(dataset, null, 10);
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private TrainingCompleted awaitCompleted(UUID runId) {
        await().atMost(Duration.ofMinutes(5)).untilAsserted(() -> assertThat(recordsOf(Topics.TRAINING_COMPLETED, runId))
                .isNotEmpty());
        return records(Topics.TRAINING_COMPLETED, runId, TrainingCompleted.class).get(0);
    }

    /** Every event of the run on {@code topic} so far, oldest first. */
    private <T> List<T> records(String topic, UUID runId, Class<T> type) {
        return recordsOf(topic, runId).stream().map(r -> EventCodec.decode(r.value(), type)).toList();
    }

    private List<ConsumerRecord<String, String>> recordsOf(String topic, UUID runId) {
        return TrainingFixtures.recordsOf(bootstrapServers, topic, runId);
    }

    private String sha256Of(String uri) {
        return store.copyTo(ObjectUri.parse(uri), OutputStream.nullOutputStream());
    }
}

package dev.finetune.training.runner;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Lineage;
import dev.finetune.events.Topics;
import dev.finetune.events.TrainingFailed;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.training.TrainingFixtures;
import dev.finetune.training.domain.Hyperparameters;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunSource;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What stops a run other than its end, on the real model, broker, S3Proxy and PostgreSQL: a loss that
 * stays non-finite fails the run after the steps the guard allows, a job whose lease another instance
 * took stops and writes nothing more, and a run whose instance died in every attempt fails at the cap.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class RunSafeguardsIT {

    private static final String ANOTHER_INSTANCE = "another-instance/" + UUID.randomUUID();

    @Inject
    RunStore runs;

    @Inject
    RunExecutor executor;

    @Inject
    ArtifactStore store;

    @Inject
    EntityManager entityManager;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @AfterEach
    void cleanUp() {
        endRunsOf(ANOTHER_INSTANCE); // nobody renews them: they would be taken over once their lease ran out
        for (RunStatus status : List.of(RunStatus.QUEUED, RunStatus.RUNNING)) {
            runs.list(null, status, 100).forEach(r -> runs.requestCancel(r.id));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> executor.executing().isEmpty());
    }

    @Test
    void aRunWhoseLossStaysNonFiniteFailsAfterTheStepsTheGuardAllows() {
        String dataset = "diverge-" + UUID.randomUUID();
        // A configuration whose first update sends the weights to infinity: every later step has a non-finite
        // loss. 12 steps per epoch, so the guard (3 skipped steps in a row are tolerated, the 4th fails the run)
        // fires before any checkpoint. The REST API refuses such learning rates now (finite, in (0, 1]), so it is
        // written as a configuration stored before the bounds existed; the guard is for divergence within them.
        storeUnchecked(dataset, """
                {"strategy": "full", "epochs": 1, "batchSize": 2, "maxLength": 16, "earlyStoppingPatience": 0,
                 "learningRate": 1e38, "headLearningRate": 1e38}""");
        Run run = announce(TrainingFixtures.prepared(store, dataset, 24));

        await().atMost(Duration.ofMinutes(3)).until(() -> runs.find(run.id).orElseThrow().status.finished());
        Run failed = runs.find(run.id).orElseThrow();
        assertThat(failed.status).isEqualTo(RunStatus.FAILED);
        assertThat(failed.failureReason).startsWith("training diverged: no finite loss and gradient for 4 steps in a row");
        assertThat(TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_FAILED, run.id))
                .singleElement().satisfies(r -> assertThat(EventCodec.decode(r.value(), TrainingFailed.class).reason())
                        .isEqualTo(failed.failureReason));
        assertThat(TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_COMPLETED, run.id)).isEmpty();
        assertThat(TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_CHECKPOINTS, run.id)).isEmpty();
        assertThat(runs.checkpoints(run.id)).isEmpty();
    }

    @Test
    void aJobWhoseLeaseAnotherInstanceTookStopsAndWritesNothingMore() {
        String dataset = "lease-" + UUID.randomUUID();
        // One epoch of 24 steps (48 examples, batches of 2): no checkpoint is due until the epoch ends.
        configure(dataset, """
                {"strategy": "full", "epochs": 1, "batchSize": 2, "maxLength": 16, "earlyStoppingPatience": 0}""");
        Run run = announce(TrainingFixtures.prepared(store, dataset, 48));
        await().atMost(Duration.ofMinutes(3)).until(() -> runs.find(run.id).orElseThrow().step >= 2);
        assertThat(executor.executing()).contains(run.id);

        // Another instance took the run over (as after a lease that expired while this one was paused).
        Run taken = takeOver(run.id, ANOTHER_INSTANCE);

        // The job sees it at its next heartbeat and stops after the step it is on.
        await().atMost(Duration.ofSeconds(60)).until(() -> !executor.executing().contains(run.id));
        Run after = runs.find(run.id).orElseThrow();
        assertThat(after.status).isEqualTo(RunStatus.RUNNING);
        assertThat(after.owner).isEqualTo(ANOTHER_INSTANCE);
        assertThat(after.leaseUntil).as("lease renewed by the old owner").isEqualTo(taken.leaseUntil);
        assertThat(after.step).as("step recorded by the old owner").isEqualTo(taken.step);
        assertThat(after.finishedAt).isNull();
        assertThat(after.executedBy).isNull();
        // Stopping stored no resumable checkpoint (the new owner's are the ones that count), and the run
        // neither completed nor failed.
        assertThat(after.resumeCheckpointUri).as("resumable checkpoint recorded by the old owner").isNull();
        assertThat(runs.checkpoints(run.id)).as("checkpoints recorded by the old owner").isEmpty();
        assertThat(store.list("models/" + run.id + "/")).as("objects the old owner stored").isEmpty();
        for (String topic : List.of(Topics.TRAINING_CHECKPOINTS, Topics.TRAINING_COMPLETED, Topics.TRAINING_FAILED)) {
            assertThat(TrainingFixtures.recordsOf(bootstrapServers, topic, run.id)).as(topic).isEmpty();
        }
    }

    @Test
    void aRunWhoseInstanceDiedInEveryAttemptFailsAtTheCapAndTheQueueMovesOn() {
        // The third attempt's instance has just died (its lease ran out) after two that died the same way:
        // with training.max-attempts=3 it is not taken over a fourth time.
        String dataset = "crashing-" + UUID.randomUUID();
        UUID crashing = abandonedRun(dataset, 3, 2);
        // Queued behind it, a run that fails at once (its split is not there): proof that the queue moved on.
        String next = "after-crashing-" + UUID.randomUUID();
        Run queued = announce(TrainingFixtures.unstored(next, 1));

        await().atMost(Duration.ofSeconds(60)).until(() -> runs.find(crashing).orElseThrow().status.finished());
        Run failed = runs.find(crashing).orElseThrow();
        assertThat(failed.status).isEqualTo(RunStatus.FAILED);
        assertThat(failed.failureReason).startsWith("run " + crashing + " was interrupted in each of its 3 attempts")
                .contains("last owner " + ANOTHER_INSTANCE).endsWith("not tried again (training.max-attempts=3)");
        assertThat(failed.attempts).as("attempts: not claimed a fourth time").isEqualTo(3);
        assertThat(failed.interruptedAttempts).isEqualTo(3);
        assertThat(failed.owner).isNull();
        assertThat(TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_FAILED, crashing))
                .singleElement().satisfies(r -> assertThat(EventCodec.decode(r.value(), TrainingFailed.class).reason())
                        .isEqualTo(failed.failureReason));
        await().atMost(Duration.ofSeconds(60)).until(() -> runs.find(queued.id).orElseThrow().status.finished());
        assertThat(runs.find(queued.id).orElseThrow().attempts).isEqualTo(1);
    }

    @Test
    void anAbandonedRunWithAttemptsLeftIsTakenOverAndCounted() {
        // One attempt died; the run's split is missing, so the takeover fails it at once, as its own failure.
        String dataset = "crashed-once-" + UUID.randomUUID();
        UUID crashed = abandonedRun(dataset, 1, 0);

        await().atMost(Duration.ofSeconds(60)).until(() -> runs.find(crashed).orElseThrow().status.finished());
        Run after = runs.find(crashed).orElseThrow();
        assertThat(after.attempts).isEqualTo(2);
        assertThat(after.interruptedAttempts).isEqualTo(1);
        assertThat(after.failureReason).doesNotContain("interrupted in each");
    }

    @Test
    void onlyTheInstanceHoldingARunRecordsItsCheckpointsAndEvaluations() {
        // The run is held by another instance (its lease is current): this one lost it and must write nothing.
        String dataset = "held-" + UUID.randomUUID();
        UUID id = runOfAnotherInstance(dataset, 1, 0, false);
        String uri = "s3://finetune/models/" + id + "/ckpt-3/resumable.zip";
        CheckpointSaved announcement = new CheckpointSaved(EventMeta.next("training-service", dataset + "-v1"), dataset,
                new Lineage(dataset, FinetuneRealm.TEAM_A, 1, "s3://finetune/datasets/" + dataset + "/v1/manifest.json", id.toString(), uri,
                        "ab".repeat(32), 3, TrainingFixtures.unstored(dataset, 1).splits()), 0, Map.of(), false, false);

        assertThat(runs.recordCheckpoint(id, "this-instance", "EPOCH_END", 3, uri, "ab".repeat(32), 10, Map.of(), true,
                announcement)).isFalse();
        assertThat(runs.recordEvaluation(id, "this-instance", 3, 0, 0.5, Map.of("accuracy", 0.5))).isFalse();
        assertThat(runs.checkpoints(id)).isEmpty();
        assertThat(runs.evaluations(id)).isEmpty();
        assertThat(runs.find(id).orElseThrow().resumeCheckpointUri).isNull();

        // The holder records both, and the checkpoint's event leaves with it.
        assertThat(runs.recordCheckpoint(id, ANOTHER_INSTANCE, "EPOCH_END", 3, uri, "ab".repeat(32), 10, Map.of(), true,
                announcement)).isTrue();
        assertThat(runs.recordEvaluation(id, ANOTHER_INSTANCE, 3, 0, 0.5, Map.of("accuracy", 0.5))).isTrue();
        assertThat(runs.checkpoints(id)).hasSize(1);
        assertThat(runs.evaluations(id)).hasSize(1);
        assertThat(runs.find(id).orElseThrow().resumeCheckpointUri).isEqualTo(uri);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_CHECKPOINTS, id)).hasSize(1));
    }

    /** A run whose last attempt's instance died: RUNNING, owned by another instance, its lease run out. */
    UUID abandonedRun(String dataset, int attempts, int interruptedBefore) {
        return runOfAnotherInstance(dataset, attempts, interruptedBefore, true);
    }

    /** A RUNNING run owned by another instance, its lease run out or current for 10 more minutes. */
    @Transactional
    UUID runOfAnotherInstance(String dataset, int attempts, int interruptedBefore, boolean expired) {
        RunSource source = RunSource.of(TrainingFixtures.unstored(dataset, 1));
        UUID id = runs.enqueue(source, Hyperparameters.NONE).run().id; // same transaction: never seen queued
        entityManager.createNativeQuery("""
                UPDATE training_run SET status = 'RUNNING', owner = ?2, lease_until = now() + make_interval(secs => ?5),
                       attempts = ?3, interrupted_attempts = ?4, started_at = now(), progressed_at = now()
                 WHERE id = ?1""")
                .setParameter(1, id).setParameter(2, ANOTHER_INSTANCE).setParameter(3, attempts)
                .setParameter(4, interruptedBefore).setParameter(5, expired ? -1.0 : 600.0).executeUpdate();
        return id;
    }

    @Transactional
    void storeUnchecked(String dataset, String json) {
        entityManager.createNativeQuery("""
                INSERT INTO training_config (dataset, team, hyperparameters, updated_at) VALUES (?1, 'team-a', CAST(?2 AS jsonb), now())""")
                .setParameter(1, dataset).setParameter(2, json).executeUpdate();
    }

    private void configure(String dataset, String json) {
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body(json).put("/training-configs/" + dataset).then().statusCode(200);
    }

    /** Publishes the event and returns the run its consumer queued. */
    private Run announce(DatasetPrepared event) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.DATASETS_PREPARED, event.dataset(),
                    EventCodec.encode(event))).awaitCompletion();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> !runs.list(event.dataset(), null, 10).isEmpty());
        List<Run> all = runs.list(event.dataset(), null, 10);
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    /** What a claim by {@code owner} writes once the lease has run out; returns the row as it left it. */
    @Transactional
    Run takeOver(UUID runId, String owner) {
        int updated = entityManager.createNativeQuery("""
                UPDATE training_run SET owner = ?2, lease_until = now() + interval '10 minutes', attempts = attempts + 1
                 WHERE id = ?1 AND status = 'RUNNING'""")
                .setParameter(1, runId).setParameter(2, owner).executeUpdate();
        assertThat(updated).isEqualTo(1);
        entityManager.clear();
        return Run.findById(runId);
    }

    @Transactional
    void endRunsOf(String owner) {
        entityManager.createNativeQuery("""
                UPDATE training_run SET status = 'CANCELLED', owner = null, lease_until = null, finished_at = now()
                 WHERE owner = ?1 AND status = 'RUNNING'""").setParameter(1, owner).executeUpdate();
    }
}

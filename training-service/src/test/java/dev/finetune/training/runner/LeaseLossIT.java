package dev.finetune.training.runner;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Topics;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.training.TrainingFixtures;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunCheckpoint;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A job whose lease cannot be renewed because its database went away, on the real model, broker, S3Proxy and
 * PostgreSQL (reached through a proxy the test cuts): the job stops while its lease is still its own, having
 * stored, recorded, published and deleted nothing more; once the database is back and the lease has run out the
 * run is taken over as an interrupted attempt, resumes from the checkpoint the job left, and completes once.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class LeaseLossIT {

    /**
     * How soon the job must stop once the database is away: a heartbeat (1 s in tests) for the renewal to fail,
     * plus the step it is on, plus slack for a loaded machine; training on to the epoch's end takes far longer.
     * (The test runs with the default lease, 60 s: a profile with a shorter one would restart Quarkus in the same
     * JVM, where the PyTorch native library, loaded by an earlier test class, cannot be loaded again.)
     */
    private static final Duration STOPS_WITHIN = Duration.ofSeconds(20);

    @Inject
    RunStore runs;

    @Inject
    RunExecutor executor;

    @Inject
    ArtifactStore store;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "training.lease")
    Duration lease;

    @AfterEach
    void cleanUp() {
        PostgresTestResource.database().restore();
        for (RunStatus status : List.of(RunStatus.QUEUED, RunStatus.RUNNING)) {
            runs.list(null, status, 100).forEach(r -> runs.requestCancel(r.id));
        }
        await().atMost(Duration.ofMinutes(2)).until(() -> executor.executing().isEmpty());
    }

    @Test
    void aJobThatCannotRenewItsLeaseStopsAtOnceAndWritesNothingMoreThenTheRunIsTakenOverAndCompletesOnce() {
        String dataset = "db-away-" + UUID.randomUUID();
        // Two epochs of 12 steps (48 examples, batches of 4): the database goes away early in the second, with
        // the first epoch's checkpoints stored, recorded and announced, and most of its steps still to go.
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON)
                .body("{\"strategy\": \"full\", \"epochs\": 2, \"batchSize\": 4, \"maxLength\": 32, \"earlyStoppingPatience\": 0}")
                .put("/training-configs/" + dataset).then().statusCode(200);
        Run run = announce(TrainingFixtures.prepared(store, dataset, 48));
        await().atMost(Duration.ofMinutes(5)).until(() -> runs.checkpoints(run.id).size() == 2);
        List<RunCheckpoint> epochOne = runs.checkpoints(run.id);
        String resumable = epochOne.stream().filter(c -> c.reason.equals("EPOCH_END")).findFirst().orElseThrow().uri;
        assertThat(epochOne).allSatisfy(c -> assertThat(c.step).isEqualTo(12));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_CHECKPOINTS, run.id).size() == 2);
        List<String> objectsBefore = store.list("models/" + run.id + "/").stream().sorted().toList();
        assertThat(objectsBefore).hasSize(2).contains(ObjectUri.parse(resumable).key());
        assertThat(executor.executing()).contains(run.id);

        PostgresTestResource.database().cut();
        Instant cut = Instant.now();

        // The renewal fails within a heartbeat and the job stops after the step it is on: long before its lease
        // runs out, so before another instance could take the run over; training on would have taken the rest of
        // the epoch (about 11 steps) and its evaluation.
        await().atMost(lease).until(() -> !executor.executing().contains(run.id));
        Duration stoppedAfter = Duration.between(cut, Instant.now());
        assertThat(stoppedAfter).as("time from the cut until the job stopped").isLessThan(STOPS_WITHIN);
        // It stored nothing more (no resumable checkpoint of the stop) and deleted nothing: the first epoch's
        // resumable checkpoint is what the next owner resumes from. And it announced nothing.
        assertThat(store.list("models/" + run.id + "/").stream().sorted().toList())
                .as("objects of the run after the job stopped").isEqualTo(objectsBefore);
        assertThat(TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_CHECKPOINTS, run.id)).hasSize(2);
        assertThat(TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_COMPLETED, run.id)).isEmpty();
        assertThat(TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_FAILED, run.id)).isEmpty();

        // The database stays away for longer than the lease, as in an outage (progress is sent without waiting:
        // by then the last the job sent has landed). Nothing can take the run over meanwhile.
        await().pollInterval(Duration.ofMillis(200)).atMost(lease.plusSeconds(30))
                .until(() -> Duration.between(cut, Instant.now()).compareTo(lease.plusSeconds(2)) > 0);
        List<Integer> firstAttempt = progressSteps(run.id);
        int lastStepOfTheFirstAttempt = firstAttempt.get(firstAttempt.size() - 1);
        assertThat(firstAttempt).as("steps of the first attempt, each published once").isSorted().doesNotHaveDuplicates();
        assertThat(lastStepOfTheFirstAttempt).as("last step the first attempt announced").isLessThan(24);
        PostgresTestResource.database().restore();

        // Abandoned (its lease ran out), the run is taken over, resumes where the first epoch ended and completes.
        await().atMost(Duration.ofMinutes(5)).until(() -> runs.find(run.id).orElseThrow().status.finished());
        Run done = runs.find(run.id).orElseThrow();
        assertThat(done.status).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(done.attempts).isEqualTo(2);
        assertThat(done.interruptedAttempts).as("the attempt whose database went away").isEqualTo(1);
        assertThat(done.executedBy).isEqualTo(executor.owner());
        List<Integer> steps = progressSteps(run.id);
        assertThat(steps.subList(0, firstAttempt.size())).isEqualTo(firstAttempt);
        assertThat(steps.get(firstAttempt.size())).as("first step of the second attempt: resumed").isEqualTo(13);
        assertThat(done.step).isEqualTo(24);
        assertThat(runs.evaluations(run.id)).extracting(e -> e.step).containsExactly(12L, 24L);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_COMPLETED, run.id)).hasSize(1));
        assertThat(TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_FAILED, run.id)).isEmpty();
    }

    /** The steps of the run's {@code training.progress} events, in the order they were sent. */
    private List<Integer> progressSteps(UUID runId) {
        return TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_PROGRESS, runId).stream()
                .map(ConsumerRecord::value).map(v -> json(v).path("step").asInt()).toList();
    }

    /** Publishes the event and returns the run its consumer queued. */
    private Run announce(DatasetPrepared event) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.DATASETS_PREPARED, event.dataset(),
                    EventCodec.encode(event))).awaitCompletion();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> !runs.list(event.dataset(), null, 10).isEmpty());
        return runs.list(event.dataset(), null, 10).get(0);
    }

    private static JsonNode json(String text) {
        try {
            return EventCodec.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }
}

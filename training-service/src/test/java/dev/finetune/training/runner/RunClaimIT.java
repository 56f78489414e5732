package dev.finetune.training.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.storage.ArtifactStore;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.training.TrainingFixtures;
import dev.finetune.training.domain.Hyperparameters;
import dev.finetune.training.domain.RunSource;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How instances of one group share runs, on the real PostgreSQL: instances claiming at the same moment
 * never get the same run, and a run whose owner stopped renewing its lease is taken over.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class RunClaimIT {

    @Inject
    RunStore runs;

    @Inject
    RunExecutor executor;

    @Inject
    EntityManager entityManager;

    @Inject
    ArtifactStore store;

    @BeforeEach
    void quiet() {
        executor.stop(Duration.ofSeconds(30)); // this test plays the instances itself
        for (RunStatus status : List.of(RunStatus.QUEUED, RunStatus.RUNNING)) {
            runs.list(null, status, 500).forEach(r -> runs.requestCancel(r.id));
        }
        forceFinish();
    }

    @AfterEach
    void resume() {
        forceFinish();
        executor.start();
    }

    @Test
    void twoInstancesClaimingAtOnceGetDifferentRunsAndATakenOverLeaseMovesTheRun() throws Exception {
        UUID first = enqueue("claim-a-" + UUID.randomUUID());
        UUID second = enqueue("claim-b-" + UUID.randomUUID());

        CyclicBarrier together = new CyclicBarrier(2);
        CompletableFuture<Optional<UUID>> a = CompletableFuture.supplyAsync(() -> claimTogether(together, "instance-a"));
        CompletableFuture<Optional<UUID>> b = CompletableFuture.supplyAsync(() -> claimTogether(together, "instance-b"));
        UUID claimedByA = a.get().orElseThrow();
        UUID claimedByB = b.get().orElseThrow();

        assertThat(Set.of(claimedByA, claimedByB)).containsExactlyInAnyOrder(first, second);
        assertThat(runs.claimNext("instance-c")).isEmpty();
        assertThat(runs.heartbeat(claimedByA, "instance-a", 1, 10, 1.0, 5.0, 0)).isEqualTo(RunStore.Heartbeat.CONTINUE);

        // instance-a dies: its lease runs out and instance-c takes the run over; a's late heartbeat is refused.
        expireLease(claimedByA);
        assertThat(runs.claimNext("instance-c")).contains(claimedByA);
        assertThat(runs.find(claimedByA).orElseThrow().attempts).isEqualTo(2);
        assertThat(runs.heartbeat(claimedByA, "instance-a", 2, 10, 1.0, 5.0, 0)).isEqualTo(RunStore.Heartbeat.LOST);
        assertThat(runs.finish(claimedByA, "instance-a", RunStatus.SUCCEEDED, null)).isFalse();
        assertThat(runs.finish(claimedByA, "instance-c", RunStatus.SUCCEEDED, null)).isTrue();
    }

    private Optional<UUID> claimTogether(CyclicBarrier barrier, String owner) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return runs.claimNext(owner);
    }

    private UUID enqueue(String dataset) {
        RunSource source = RunSource.of(TrainingFixtures.unstored(dataset, 1));
        return runs.enqueue(source, Hyperparameters.NONE).run().id;
    }

    @Transactional
    void expireLease(UUID runId) {
        entityManager.createNativeQuery("UPDATE training_run SET lease_until = now() - interval '1 second' WHERE id = ?1")
                .setParameter(1, runId).executeUpdate();
    }

    /** Leftovers of other tests would be claimed first (oldest first): end them. */
    @Transactional
    void forceFinish() {
        entityManager.createNativeQuery(
                "UPDATE training_run SET status = 'CANCELLED', owner = null WHERE status IN ('QUEUED', 'RUNNING')")
                .executeUpdate();
    }
}

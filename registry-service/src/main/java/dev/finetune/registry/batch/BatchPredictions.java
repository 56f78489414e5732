package dev.finetune.registry.batch;

import dev.finetune.events.BatchPredictionCompleted;
import dev.finetune.events.EventMeta;
import dev.finetune.registry.domain.Registry;
import dev.finetune.support.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The batch predictions' table: each change of a job is one transaction, and a job's end records its
 * {@code batch-predictions.completed} event in the same one (the outbox sends it after commit). Every change made
 * by an executing instance names the job's owner, so an instance that lost the job (its heartbeat went stale and
 * another claimed it) changes nothing more.
 */
@ApplicationScoped
public class BatchPredictions {

    private final EntityManager entityManager;
    private final Outbox outbox;

    public BatchPredictions(EntityManager entityManager, Outbox outbox) {
        this.entityManager = entityManager;
        this.outbox = outbox;
    }

    @Transactional
    public BatchPrediction create(BatchPrediction job) {
        job.status = BatchPrediction.Status.QUEUED;
        job.createdAt = Instant.now();
        job.persist();
        return job;
    }

    @Transactional
    public Optional<BatchPrediction> find(String model, String id) {
        return Optional.ofNullable(entityManager.find(BatchPrediction.class, id)).filter(j -> j.modelName.equals(model));
    }

    /** The model's jobs, newest first, at most {@code limit}. */
    @Transactional
    public List<BatchPrediction> of(String model, int limit) {
        return entityManager.createQuery("from BatchPrediction where modelName = ?1 order by createdAt desc",
                BatchPrediction.class).setParameter(1, model).setMaxResults(limit).getResultList();
    }

    /**
     * Claims the oldest job that is queued, or running with a heartbeat older than {@code staleAfter} (its instance
     * stopped), for {@code owner}; {@code SKIP LOCKED}, so instances claiming at once never get the same job. A stale
     * job that has had its {@code maxAttempts} already fails instead, with its event, and the next is looked at.
     */
    @Transactional
    public Optional<BatchPrediction> claim(String owner, Duration staleAfter, int maxAttempts) {
        Instant now = Instant.now();
        while (true) {
            @SuppressWarnings("unchecked")
            List<String> next = entityManager.createNativeQuery("""
                    SELECT id FROM batch_prediction
                     WHERE status = 'QUEUED' OR (status = 'RUNNING' AND heartbeat_at < ?1)
                     ORDER BY created_at LIMIT 1
                     FOR UPDATE SKIP LOCKED""").setParameter(1, now.minus(staleAfter)).getResultList();
            if (next.isEmpty()) {
                return Optional.empty();
            }
            BatchPrediction job = entityManager.find(BatchPrediction.class, next.get(0), LockModeType.NONE);
            if (job.attempts >= maxAttempts) {
                end(job, BatchPrediction.Status.FAILED, null, "its instance stopped in each of its " + job.attempts
                        + " attempts (registry.batch.max-attempts=" + maxAttempts + ")"
                        + (job.failureReason == null ? "" : "; the last error: " + job.failureReason));
                continue;
            }
            job.status = BatchPrediction.Status.RUNNING;
            job.owner = owner;
            job.attempts++;
            job.heartbeatAt = now;
            job.rowsScored = 0;
            job.bytesRead = 0;
            if (job.startedAt == null) {
                job.startedAt = now;
            }
            return Optional.of(job);
        }
    }

    /** Records progress and renews the heartbeat; false when {@code owner} no longer holds the job. */
    @Transactional
    public boolean progress(String id, String owner, long rowsScored, long bytesRead) {
        return entityManager.createQuery("""
                update BatchPrediction set rowsScored = ?1, bytesRead = ?2, heartbeatAt = ?3
                 where id = ?4 and owner = ?5 and status = ?6""")
                .setParameter(1, rowsScored).setParameter(2, bytesRead).setParameter(3, Instant.now())
                .setParameter(4, id).setParameter(5, owner).setParameter(6, BatchPrediction.Status.RUNNING)
                .executeUpdate() == 1;
    }

    /** The job succeeded with its output at {@code outputUri}; false (and nothing recorded) when it is no longer {@code owner}'s. */
    @Transactional
    public boolean succeed(String id, String owner, String outputUri, long rowsScored, long bytesRead) {
        return owned(id, owner).map(job -> {
            job.rowsScored = rowsScored;
            job.bytesRead = bytesRead;
            end(job, BatchPrediction.Status.SUCCEEDED, outputUri, null);
            return true;
        }).orElse(false);
    }

    /** The job failed for good (its input is at fault); false when it is no longer {@code owner}'s. */
    @Transactional
    public boolean fail(String id, String owner, String reason, long rowsScored) {
        return owned(id, owner).map(job -> {
            job.rowsScored = rowsScored;
            end(job, BatchPrediction.Status.FAILED, null, reason);
            return true;
        }).orElse(false);
    }

    /**
     * A transient fault (store or database away, model not loadable yet) stopped the attempt: queued again with the
     * error noted, or failed when it has had {@code maxAttempts}.
     */
    @Transactional
    public void retryLater(String id, String owner, String error, int maxAttempts) {
        owned(id, owner).ifPresent(job -> {
            if (job.attempts >= maxAttempts) {
                end(job, BatchPrediction.Status.FAILED, null, "failed in each of its " + job.attempts
                        + " attempts (registry.batch.max-attempts=" + maxAttempts + "); the last error: " + error);
            } else {
                job.status = BatchPrediction.Status.QUEUED;
                job.owner = null;
                job.heartbeatAt = null;
                job.failureReason = error;
            }
        });
    }

    private Optional<BatchPrediction> owned(String id, String owner) {
        BatchPrediction job = entityManager.find(BatchPrediction.class, id, LockModeType.PESSIMISTIC_WRITE);
        return job != null && job.status == BatchPrediction.Status.RUNNING && owner.equals(job.owner)
                ? Optional.of(job) : Optional.empty();
    }

    private void end(BatchPrediction job, BatchPrediction.Status status, String outputUri, String reason) {
        job.status = status;
        job.outputUri = outputUri;
        job.failureReason = reason;
        job.finishedAt = Instant.now();
        job.owner = null;
        outbox.record(new BatchPredictionCompleted(EventMeta.next(Registry.PRODUCER, job.id), job.id, job.modelName,
                job.version, job.team, status == BatchPrediction.Status.SUCCEEDED
                        ? BatchPredictionCompleted.Status.SUCCEEDED : BatchPredictionCompleted.Status.FAILED,
                job.inputUri, outputUri, job.rowsScored, reason));
    }
}

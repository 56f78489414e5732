package dev.finetune.training.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventMeta;
import dev.finetune.events.PlatformEvent;
import dev.finetune.events.TrainingFailed;
import dev.finetune.events.kafka.TraceContext;
import dev.finetune.support.outbox.Outbox;
import dev.finetune.training.config.TrainingSettings;
import dev.finetune.training.messaging.TrainingEventPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Every change to a run's row, each in its own transaction. Ownership is checked in the SQL itself
 * ({@code WHERE owner = ?}), so an instance that lost its lease cannot overwrite the new owner's work.
 */
@ApplicationScoped
public class RunStore {

    /** Sorted keys, no nulls: equal hyperparameters always give the same hash. */
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY, true);

    private static final Logger LOG = Logger.getLogger(RunStore.class);

    private final EntityManager entityManager;
    private final TrainingSettings settings;
    private final Outbox outbox;

    public RunStore(EntityManager entityManager, TrainingSettings settings, Outbox outbox) {
        this.entityManager = entityManager;
        this.settings = settings;
        this.outbox = outbox;
        if (settings.maxAttempts() < 1 || settings.maxAttempts() > 100) {
            throw new IllegalArgumentException("training.max-attempts must be within 1..100, was "
                    + settings.maxAttempts());
        }
    }

    /** The data set's configuration over the platform defaults. */
    @Transactional
    public Hyperparameters configurationOf(String dataset) {
        Hyperparameters defaults = Hyperparameters.defaults(settings.defaults());
        DatasetTrainingConfig stored = DatasetTrainingConfig.findById(dataset);
        return stored == null ? defaults : read(stored.hyperparameters, Hyperparameters.class).over(defaults);
    }

    /**
     * The configuration a run of {@code source} uses over the platform defaults: the data set's, unless it belongs
     * to another team than the data set version (a name owned by one team, then created again by another): then
     * the defaults, for one team's settings must not steer what another team trains.
     */
    private Hyperparameters configurationFor(RunSource source) {
        DatasetTrainingConfig stored = DatasetTrainingConfig.findById(source.dataset());
        if (stored != null && !stored.team.equals(source.team())) {
            LOG.warnf("data set %s v%d belongs to team %s but its training configuration to team %s: the configuration"
                    + " is ignored and the run uses the platform defaults (team %s sets its own with PUT"
                    + " /training-configs/%s)", source.dataset(), source.version(), source.team(), stored.team,
                    source.team(), source.dataset());
            return Hyperparameters.defaults(settings.defaults());
        }
        return configurationOf(source.dataset());
    }

    /**
     * What a run of the data set for {@code team} would use: as {@link #configurationOf}, but the defaults when the
     * stored configuration belongs to another team (or {@code team} is null: nobody owns the data set yet).
     */
    @Transactional
    public Hyperparameters configurationOf(String dataset, String team) {
        DatasetTrainingConfig stored = DatasetTrainingConfig.findById(dataset);
        return stored != null && stored.team.equals(team) ? configurationOf(dataset)
                : Hyperparameters.defaults(settings.defaults());
    }

    /** The team that owns the data set's stored configuration; empty when none is stored. */
    @Transactional
    public Optional<String> configurationTeam(String dataset) {
        return Optional.ofNullable(DatasetTrainingConfig.<DatasetTrainingConfig>findById(dataset)).map(c -> c.team);
    }

    /** The team that owns the data set as training last heard (its newest run's); empty when it has none. */
    @Transactional
    public Optional<String> knownTeam(String dataset) {
        return Run.<Run>find("dataset = ?1 order by createdAt desc", dataset).firstResultOptional().map(r -> r.team);
    }

    @Transactional
    public Optional<Hyperparameters> storedConfiguration(String dataset) {
        DatasetTrainingConfig stored = DatasetTrainingConfig.findById(dataset);
        return Optional.ofNullable(stored).map(c -> read(c.hyperparameters, Hyperparameters.class));
    }

    /** Replaces the data set's configuration after checking that it makes a valid run. */
    @Transactional
    public Hyperparameters storeConfiguration(String dataset, String team, Hyperparameters hyperparameters) {
        hyperparameters.checked().over(Hyperparameters.defaults(settings.defaults())).toTrainingConfig(null);
        DatasetTrainingConfig stored = DatasetTrainingConfig.findById(dataset);
        if (stored == null) {
            stored = new DatasetTrainingConfig();
            stored.dataset = dataset;
        }
        stored.team = team;
        stored.hyperparameters = write(hyperparameters);
        stored.updatedAt = Instant.now();
        stored.persist();
        return hyperparameters;
    }

    /**
     * Records a queued run for the data set version with the effective hyperparameters and the current trace,
     * unless that version already has a run with the same ones: then returns that run and {@code created == false}.
     */
    @Transactional
    public Enqueued enqueue(RunSource source, Hyperparameters overrides) {
        Hyperparameters effective = overrides.over(configurationFor(source));
        effective.toTrainingConfig(null); // fails here, with the field, rather than when the run starts
        String json = write(effective);
        String hash = sha256(json);
        UUID id = UUID.randomUUID();
        int inserted = entityManager.createNativeQuery("""
                INSERT INTO training_run (id, dataset, dataset_version, manifest_uri, train_uri, validation_uri,
                    model_name, hyperparameters, config_hash, correlation_id, source_event_id, traceparent, splits,
                    status, created_at, content_sha256, team)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, CAST(?8 AS jsonb), ?9, ?10, ?11, ?12, CAST(?13 AS jsonb), 'QUEUED',
                    clock_timestamp(), ?14, ?15)
                ON CONFLICT (dataset, dataset_version, content_sha256, config_hash) WHERE retry_of IS NULL DO NOTHING""")
                .setParameter(1, id)
                .setParameter(2, source.dataset())
                .setParameter(3, source.version())
                .setParameter(4, source.manifestUri())
                .setParameter(5, source.train().uri())
                .setParameter(6, source.validation() == null ? null : source.validation().uri())
                .setParameter(7, source.modelName())
                .setParameter(8, json)
                .setParameter(9, hash)
                .setParameter(10, source.correlationId())
                .setParameter(11, source.sourceEventId())
                .setParameter(12, TraceContext.current())
                .setParameter(13, write(source.splits()))
                .setParameter(14, source.contentSha256())
                .setParameter(15, source.team())
                .executeUpdate();
        if (inserted == 1) {
            return new Enqueued(Run.findById(id), true);
        }
        Run existing = Run.find("dataset = ?1 and datasetVersion = ?2 and contentSha256 = ?3 and configHash = ?4 "
                + "and retryOf is null", source.dataset(), source.version(), source.contentSha256(), hash).firstResult();
        return new Enqueued(existing, false);
    }

    /**
     * A data set version's splits, with their checksums, from the newest run of it (a data set created again
     * under the same name announced its v1 anew): hand-started runs reuse them. Runs queued before the splits were
     * kept cannot tell them, so they do not count.
     */
    @Transactional
    public Optional<RunSource> knownVersion(String dataset, int version) {
        Run any = Run.find("dataset = ?1 and datasetVersion = ?2 and splits is not null order by createdAt desc",
                dataset, version).firstResult();
        return Optional.ofNullable(any).map(r -> new RunSource(r.dataset, r.team, r.datasetVersion, r.contentSha256,
                r.manifestUri, splitsOf(r), r.modelName, r.correlationId, null));
    }

    /** The run's splits as they were announced; empty for a run queued before they were kept. */
    public static Map<String, DatasetPrepared.SplitRef> splitsOf(Run run) {
        return run.splits == null ? Map.of() : read(run.splits, SplitMap.class);
    }

    /** Splits by name, as stored in the run's row. */
    static final class SplitMap extends java.util.LinkedHashMap<String, DatasetPrepared.SplitRef> {
    }

    public record Enqueued(Run run, boolean created) {
    }

    /**
     * Queues a new run that retries the failed or cancelled run {@code earlier}: the same data set version, splits
     * and hyperparameters (the values the earlier run used, whatever the data set's configuration says now) and
     * correlation id, in the current trace, naming the earlier run in {@code retryOf}. A run is retried once: when
     * it has been already, that retry is returned with {@code created == false}. Empty when {@code earlier} has
     * not ended as failed or cancelled.
     */
    @Transactional
    public Optional<Enqueued> retry(UUID earlier) {
        UUID id = UUID.randomUUID();
        int inserted = entityManager.createNativeQuery("""
                INSERT INTO training_run (id, dataset, dataset_version, content_sha256, manifest_uri, train_uri,
                    validation_uri, model_name, hyperparameters, config_hash, correlation_id, traceparent, splits,
                    status, created_at, retry_of, team)
                SELECT ?1, dataset, dataset_version, content_sha256, manifest_uri, train_uri, validation_uri,
                       model_name, hyperparameters, config_hash, correlation_id, ?2, splits, 'QUEUED',
                       clock_timestamp(), id, team
                  FROM training_run WHERE id = ?3 AND status IN ('FAILED', 'CANCELLED')
                ON CONFLICT (retry_of) WHERE retry_of IS NOT NULL DO NOTHING""")
                .setParameter(1, id)
                .setParameter(2, TraceContext.current())
                .setParameter(3, earlier)
                .executeUpdate();
        if (inserted == 1) {
            return Optional.of(new Enqueued(Run.findById(id), true));
        }
        return Run.<Run>find("retryOf", earlier).firstResultOptional().map(r -> new Enqueued(r, false));
    }

    /**
     * Takes the oldest queued run, or a running one whose owner stopped renewing its lease, for
     * {@code owner}, leaving out {@code excluded}. {@code SKIP LOCKED}: instances claiming at once never get the same run.
     */
    @Transactional
    public Optional<UUID> claimNext(String owner) {
        return claimNext(owner, List.of());
    }

    /** As {@link #claimNext(String)}, never taking a run of {@code excluded}. */
    @Transactional
    public Optional<UUID> claimNext(String owner, java.util.Collection<UUID> excluded) {
        // uuid[] literal: every element is a UUID this service formatted, nothing a caller typed
        String notThese = excluded.stream().map(UUID::toString).collect(java.util.stream.Collectors.joining(",", "{", "}"));
        while (true) {
            @SuppressWarnings("unchecked")
            List<Object[]> next = entityManager.createNativeQuery("""
                    SELECT id, status = 'RUNNING' AS abandoned FROM training_run
                     WHERE (status = 'QUEUED' OR (status = 'RUNNING' AND lease_until < now()))
                       AND NOT (id = ANY (CAST(?1 AS uuid[])))
                     ORDER BY created_at
                     FOR UPDATE SKIP LOCKED
                     LIMIT 1""").setParameter(1, notThese).getResultList();
            if (next.isEmpty()) {
                return Optional.empty();
            }
            UUID id = (UUID) next.get(0)[0];
            boolean abandoned = (Boolean) next.get(0)[1];
            if (abandoned && failIfOutOfAttempts(id)) {
                continue; // the queue moves on
            }
            entityManager.createNativeQuery("""
                    UPDATE training_run
                       SET status = 'RUNNING', owner = ?2, lease_until = now() + make_interval(secs => ?3),
                           attempts = attempts + 1, interrupted_attempts = interrupted_attempts + ?4,
                           started_at = coalesce(started_at, now()), progressed_at = now()
                     WHERE id = ?1""")
                    .setParameter(1, id)
                    .setParameter(2, owner)
                    .setParameter(3, (double) settings.lease().toMillis() / 1000)
                    .setParameter(4, abandoned ? 1 : 0)
                    .executeUpdate();
            return Optional.of(id);
        }
    }

    /**
     * A run found abandoned (its owner's lease ran out) has lost one more attempt; when that was its last
     * ({@code training.max-attempts}) it fails here, with the reason and its {@code training.failed} event,
     * instead of being taken over again. True when it failed.
     */
    private boolean failIfOutOfAttempts(UUID id) {
        Run run = Run.findById(id);
        int interrupted = run.interruptedAttempts + 1;
        if (interrupted < settings.maxAttempts()) {
            return false;
        }
        String reason = "run " + id + " was interrupted in each of its " + interrupted + " attempts (its instance "
                + "stopped without ending it: killed, out of memory or lost; last owner " + run.owner
                + "); not tried again (training.max-attempts=" + settings.maxAttempts() + ")";
        entityManager.createNativeQuery("""
                UPDATE training_run
                   SET status = 'FAILED', failure_reason = ?2, finished_at = now(), owner = null, lease_until = null,
                       interrupted_attempts = ?3
                 WHERE id = ?1""")
                .setParameter(1, id).setParameter(2, reason).setParameter(3, interrupted).executeUpdate();
        outbox.record(new TrainingFailed(EventMeta.next(TrainingEventPublisher.PRODUCER, run.correlationId),
                id.toString(), run.modelName, run.dataset, run.datasetVersion, reason));
        LOG.warnf("run %s failed: %s correlationId=%s", id, reason, run.correlationId);
        return true;
    }

    @Transactional
    public Optional<Run> find(UUID id) {
        return Optional.ofNullable(Run.findById(id));
    }

    /**
     * Renews the lease and records progress. Returns what the owner must do next: go on, stop because
     * the run was cancelled, or stop because another instance owns it now.
     */
    @Transactional
    public Heartbeat heartbeat(UUID id, String owner, long step, long totalSteps, Double loss, Double samplesPerSecond,
            long skippedSteps) {
        @SuppressWarnings("unchecked")
        List<Object> cancel = entityManager.createNativeQuery("""
                UPDATE training_run
                   SET lease_until = now() + make_interval(secs => ?3), step = ?4, total_steps = ?5,
                       last_loss = coalesce(?6, last_loss), samples_per_second = coalesce(?7, samples_per_second),
                       skipped_steps = ?8,
                       progressed_at = CASE WHEN step <> ?4 THEN now() ELSE progressed_at END
                 WHERE id = ?1 AND owner = ?2 AND status = 'RUNNING'
                RETURNING cancel_requested""")
                .setParameter(1, id)
                .setParameter(2, owner)
                .setParameter(3, (double) settings.lease().toMillis() / 1000)
                .setParameter(4, step)
                .setParameter(5, totalSteps)
                .setParameter(6, loss)
                .setParameter(7, samplesPerSecond)
                .setParameter(8, skippedSteps)
                .getResultList();
        if (cancel.isEmpty()) {
            return Heartbeat.LOST;
        }
        return Boolean.TRUE.equals(cancel.get(0)) ? Heartbeat.CANCEL : Heartbeat.CONTINUE;
    }

    public enum Heartbeat { CONTINUE, CANCEL, LOST }

    /**
     * Records a stored checkpoint, with the event announcing it (when not null) in the same transaction, if
     * {@code owner} still holds the run; false, and nothing written, when another instance has taken it over.
     */
    @Transactional
    public boolean recordCheckpoint(UUID runId, String owner, String reason, long step, String uri, String sha256,
            long size, Map<String, Double> metrics, boolean resumable, PlatformEvent announcement) {
        if (!holds(runId, owner)) {
            return false;
        }
        RunCheckpoint checkpoint = new RunCheckpoint();
        checkpoint.runId = runId;
        checkpoint.step = step;
        checkpoint.reason = reason;
        checkpoint.uri = uri;
        checkpoint.sha256 = sha256;
        checkpoint.size = size;
        checkpoint.metrics = write(metrics);
        checkpoint.at = Instant.now();
        entityManager.merge(checkpoint);
        if (announcement != null) {
            outbox.record(announcement);
        }
        if (resumable) {
            entityManager.createQuery("update Run set resumeCheckpointUri = ?2, resumeStep = ?3 where id = ?1")
                    .setParameter(1, runId).setParameter(2, uri).setParameter(3, step).executeUpdate();
        }
        return true;
    }

    /** Whether {@code owner} holds the running run, its row locked for the rest of the transaction. */
    private boolean holds(UUID runId, String owner) {
        return !entityManager.createNativeQuery(
                        "SELECT 1 FROM training_run WHERE id = ?1 AND owner = ?2 AND status = 'RUNNING' FOR SHARE")
                .setParameter(1, runId).setParameter(2, owner).getResultList().isEmpty();
    }

    @Transactional
    public void forgetCheckpoint(UUID runId, long step, String uri) {
        entityManager.createQuery("delete from RunCheckpoint where runId = ?1 and step = ?2 and uri = ?3")
                .setParameter(1, runId).setParameter(2, step).setParameter(3, uri).executeUpdate();
    }

    @Transactional
    public void recordBest(UUID runId, String uri, String sha256, long step, Map<String, Double> metrics) {
        entityManager.createQuery("""
                        update Run set bestCheckpointUri = ?2, bestCheckpointSha256 = ?3, bestStep = ?4, bestMetrics = ?5
                        where id = ?1""")
                .setParameter(1, runId).setParameter(2, uri).setParameter(3, sha256).setParameter(4, step)
                .setParameter(5, write(metrics)).executeUpdate();
    }

    @Transactional
    public boolean recordEvaluation(UUID runId, String owner, long step, int epoch, double trainLoss,
            Map<String, Double> metrics) {
        if (!holds(runId, owner)) {
            return false; // another instance has taken the run over: its evaluations are the ones that count
        }
        RunEvaluation evaluation = new RunEvaluation();
        evaluation.runId = runId;
        evaluation.step = step;
        evaluation.epoch = epoch;
        evaluation.trainLoss = trainLoss;
        evaluation.metrics = write(metrics);
        evaluation.at = Instant.now();
        entityManager.merge(evaluation);
        return true;
    }

    /** Ends the run owned by {@code owner}; false if it is not (any more) its run. */
    @Transactional
    public boolean finish(UUID runId, String owner, RunStatus status, String failureReason) {
        return finish(runId, owner, status, failureReason, List.of());
    }

    /**
     * Ends the run this owner holds, with the events announcing the end in the same transaction: both commit,
     * or, when the owner has lost the run, neither (false), so a job that lost its lease announces nothing.
     */
    @Transactional
    public boolean finish(UUID runId, String owner, RunStatus status, String failureReason,
            List<? extends PlatformEvent> announcements) {
        boolean ended = entityManager.createQuery("""
                        update Run set status = ?3, failureReason = ?4, finishedAt = ?5, owner = null, leaseUntil = null,
                            executedBy = ?2
                        where id = ?1 and owner = ?2 and status = ?6""")
                .setParameter(1, runId).setParameter(2, owner).setParameter(3, status).setParameter(4, failureReason)
                .setParameter(5, Instant.now()).setParameter(6, RunStatus.RUNNING).executeUpdate() == 1;
        if (ended) {
            announcements.forEach(outbox::record);
        }
        return ended;
    }

    /** Gives a run back to the queue (this instance is shutting down); it resumes from its checkpoint. */
    @Transactional
    public void release(UUID runId, String owner) {
        entityManager.createQuery("""
                        update Run set status = ?3, owner = null, leaseUntil = null
                        where id = ?1 and owner = ?2 and status = ?4""")
                .setParameter(1, runId).setParameter(2, owner).setParameter(3, RunStatus.QUEUED)
                .setParameter(4, RunStatus.RUNNING).executeUpdate();
    }

    /**
     * Cancels a queued run at once, or asks the owner of a running one to stop (it sees the request at
     * its next heartbeat). Returns the run as it is now, empty when there is no such run.
     */
    @Transactional
    public Optional<Run> requestCancel(UUID runId) {
        entityManager.createQuery("update Run set status = ?2, finishedAt = ?3 where id = ?1 and status = ?4")
                .setParameter(1, runId).setParameter(2, RunStatus.CANCELLED).setParameter(3, Instant.now())
                .setParameter(4, RunStatus.QUEUED).executeUpdate();
        entityManager.createQuery("update Run set cancelRequested = true where id = ?1 and status = ?2")
                .setParameter(1, runId).setParameter(2, RunStatus.RUNNING).executeUpdate();
        entityManager.clear();
        return Optional.ofNullable(Run.findById(runId));
    }

    /** Every team's runs, newest first; {@code dataset} and {@code status} filter when given. */
    @Transactional
    public List<Run> list(String dataset, RunStatus status, int limit) {
        return list(dataset, status, null, limit);
    }

    /** Newest first; {@code dataset} and {@code status} filter when given; {@code teams}, when not null, limits to theirs. */
    @Transactional
    public List<Run> list(String dataset, RunStatus status, java.util.Set<String> teams, int limit) {
        StringBuilder query = new StringBuilder("1 = 1");
        Map<String, Object> parameters = new java.util.HashMap<>();
        if (teams != null) {
            query.append(" and team in :teams");
            parameters.put("teams", teams.isEmpty() ? java.util.Set.of("") : teams);
        }
        if (dataset != null) {
            query.append(" and dataset = :dataset");
            parameters.put("dataset", dataset);
        }
        if (status != null) {
            query.append(" and status = :status");
            parameters.put("status", status);
        }
        return Run.<Run>find(query + " order by createdAt desc", parameters).page(0, limit).list();
    }

    @Transactional
    public List<RunEvaluation> evaluations(UUID runId) {
        return RunEvaluation.list("runId = ?1 order by step", runId);
    }

    @Transactional
    public List<RunCheckpoint> checkpoints(UUID runId) {
        return RunCheckpoint.list("runId = ?1 order by step, reason", runId);
    }

    /** Counts by status, for the metrics. */
    @Transactional
    public Map<RunStatus, Long> countByStatus() {
        Map<RunStatus, Long> counts = new java.util.EnumMap<>(RunStatus.class);
        for (RunStatus status : RunStatus.values()) {
            counts.put(status, Run.count("status", status));
        }
        return counts;
    }

    /** The final status of each of {@code ids} that has ended; those still queued or running are left out. */
    @Transactional
    public Map<UUID, RunStatus> finishedAmong(Collection<UUID> ids) {
        Map<UUID, RunStatus> ended = new HashMap<>();
        Run.<Run>list("id in ?1 and status in ?2", ids,
                        List.of(RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED))
                .forEach(run -> ended.put(run.id, run.status));
        return ended;
    }

    /** Runs owned by {@code owner} that have made no step for {@code stall}. */
    @Transactional
    public long stalled(String owner, Duration stall) {
        return Run.count("status = ?1 and owner = ?2 and progressedAt < ?3", RunStatus.RUNNING, owner,
                Instant.now().minus(stall));
    }

    public static String write(Object value) {
        try {
            return CANONICAL.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return CANONICAL.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

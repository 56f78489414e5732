package dev.finetune.registry.batch;

import dev.finetune.registry.config.RegistrySettings;
import dev.finetune.registry.domain.ModelVersion;
import dev.finetune.registry.domain.PackageUnverified;
import dev.finetune.registry.domain.Registry;
import dev.finetune.registry.serving.ServedModels;
import dev.finetune.registry.serving.VersionPackage;
import dev.finetune.storage.ArtifactStore;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

/**
 * Executes batch predictions: claims queued jobs (or jobs whose instance went silent) from the database, at most
 * {@code registry.batch.max-concurrent} at a time, whenever a job is created here and every few seconds (jobs created
 * on other instances), and runs each on the managed executor. Any instance may execute any job, so adding registry
 * instances adds batch capacity, and a job outlives the instance that started it.
 */
@Startup // checks its settings at start
@ApplicationScoped
public class BatchPredictionWorker {

    /** How often a running job records its progress, which renews its heartbeat. */
    static final Duration REPORT_EVERY = Duration.ofSeconds(2);
    /** How long a job waits for its version to load: as long as a promotion waits, well under the stale bound. */
    static final Duration LOAD_WAIT = Duration.ofSeconds(50);
    static final Duration MIN_STALE_AFTER = Duration.ofMinutes(1);
    private static final Logger LOG = Logger.getLogger(BatchPredictionWorker.class);

    private final BatchPredictions jobs;
    private final Registry registry;
    private final ServedModels served;
    private final ManagedExecutor executor;
    private final BatchPredictionRun runs;
    private final RegistrySettings.Batch settings;
    private final Semaphore slots;
    private final String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();
    private volatile boolean stopping;

    @Inject
    public BatchPredictionWorker(BatchPredictions jobs, Registry registry, ServedModels served, ArtifactStore store,
                                 ManagedExecutor executor, RegistrySettings settings) {
        this.jobs = jobs;
        this.registry = registry;
        this.served = served;
        this.executor = executor;
        this.settings = check(settings.batch());
        this.runs = new BatchPredictionRun(store, new BatchInput.Limits(settings.serving().maxTextChars(),
                this.settings.maxLineBytes(), this.settings.maxRows()));
        this.slots = new Semaphore(this.settings.maxConcurrent());
    }

    static RegistrySettings.Batch check(RegistrySettings.Batch batch) {
        within("registry.batch.max-input-bytes", batch.maxInputBytes(), 1024, 64L << 30);
        within("registry.batch.max-rows", batch.maxRows(), 1, 1_000_000_000);
        within("registry.batch.max-line-bytes", batch.maxLineBytes(), 1024, 16 << 20);
        within("registry.batch.max-concurrent", batch.maxConcurrent(), 1, 8);
        within("registry.batch.max-attempts", batch.maxAttempts(), 1, 10);
        within("registry.batch.stale-after (seconds)", batch.staleAfter().toSeconds(), MIN_STALE_AFTER.toSeconds(),
                Duration.ofHours(1).toSeconds());
        within("registry.batch.poll-interval (seconds)", batch.pollInterval().toSeconds(), 1, 60);
        return batch;
    }

    private static void within(String setting, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(setting + " must be within " + min + ".." + max + ", was " + value);
        }
    }

    /** A job was created on this instance: claim it now rather than at the next poll. */
    public void wakeUp() {
        executor.execute(this::claimWhileFree);
    }

    @Scheduled(every = "${registry.batch.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        claimWhileFree();
    }

    private void claimWhileFree() {
        while (!stopping && slots.tryAcquire()) {
            Optional<BatchPrediction> claimed;
            try {
                claimed = jobs.claim(owner, settings.staleAfter(), settings.maxAttempts());
            } catch (RuntimeException e) {
                slots.release();
                LOG.warnf("cannot claim batch predictions now (%s); trying again at the next poll", e.getMessage());
                return;
            }
            if (claimed.isEmpty()) {
                slots.release();
                return;
            }
            BatchPrediction job = claimed.get();
            try {
                executor.execute(() -> {
                    try {
                        execute(job);
                    } finally {
                        slots.release();
                    }
                });
            } catch (RuntimeException e) { // the executor is shutting down: the job's heartbeat goes stale
                slots.release();
                return;
            }
        }
    }

    private void execute(BatchPrediction job) {
        long started = System.nanoTime();
        LOG.infof("batch prediction %s: scoring %s with %s v%d (attempt %d)", job.id, job.inputUri, job.modelName,
                job.version, job.attempts);
        try {
            ModelVersion version = registry.version(job.modelName, job.version).orElseThrow(() -> new BadInput(0,
                    "model " + job.modelName + " has no version " + job.version + " any more"));
            long[] nextReport = {System.nanoTime() + REPORT_EVERY.toNanos()};
            BatchPredictionRun.Outcome outcome = served.use(VersionPackage.of(version), LOAD_WAIT, model ->
                    runs.run(job, model, (rows, bytes) -> !stopping && jobs.progress(job.id, owner, rows, bytes), () -> {
                        if (System.nanoTime() < nextReport[0] && !stopping) {
                            return false;
                        }
                        nextReport[0] = System.nanoTime() + REPORT_EVERY.toNanos();
                        return true;
                    }));
            if (jobs.succeed(job.id, owner, outcome.output().toString(), outcome.rows(), outcome.bytesRead())) {
                LOG.infof("batch prediction %s: %d rows scored in %d ms, predictions at %s", job.id, outcome.rows(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), outcome.output());
            }
        } catch (BadInput | PackageUnverified e) {
            LOG.warnf("batch prediction %s failed: %s", job.id, e.getMessage());
            jobs.fail(job.id, owner, e.getMessage(), 0);
        } catch (BatchPredictionRun.Stopped e) {
            if (stopping) {
                jobs.retryLater(job.id, owner, "its instance stopped", settings.maxAttempts());
            }
            LOG.infof("batch prediction %s: stopped here (%s)", job.id, e.getMessage());
        } catch (RuntimeException e) { // ModelUnavailable, the store or the database away: transient
            LOG.warnf("batch prediction %s: attempt %d stopped by %s; it will be tried again", job.id, job.attempts,
                    e.toString());
            try {
                jobs.retryLater(job.id, owner, e.getMessage(), settings.maxAttempts());
            } catch (RuntimeException notRecorded) { // the database is away: the heartbeat goes stale instead
                LOG.warnf("batch prediction %s: cannot record the stop (%s)", job.id, notRecorded.getMessage());
            }
        }
    }

    @PreDestroy
    void stop() {
        stopping = true;
        try {
            // Running jobs stop at their next chunk and are queued again for another instance.
            if (slots.tryAcquire(settings.maxConcurrent(), 10, TimeUnit.SECONDS)) {
                slots.release(settings.maxConcurrent());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.finetune.training.runner;

import dev.finetune.events.kafka.TraceContext;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.training.config.TrainingSettings;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunStore;
import dev.finetune.training.messaging.TrainingEventPublisher;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs training outside the Kafka thread. The consumer only records a queued run; this executor's
 * dispatcher claims queued runs (or runs whose owner's lease ran out) from the database whenever one of
 * its {@code training.concurrency} slots is free, so every instance of the group shares the queue and
 * queued runs survive restarts. On shutdown each run stops at its next step with a resumable
 * checkpoint and goes back to the queue.
 */
@ApplicationScoped
public class RunExecutor {

    private static final Logger LOG = Logger.getLogger(RunExecutor.class);

    private final TrainingSettings settings;
    private final RunStore runs;
    private final ArtifactStore store;
    private final BaseModels baseModels;
    private final TrainingEventPublisher events;
    private final TrainingMetrics metrics;
    private final Tracer tracer;
    private final String owner;
    private final Set<UUID> executing = ConcurrentHashMap.newKeySet();
    private final Object wake = new Object();

    private volatile boolean stopping;
    private ExecutorService workers;
    private Semaphore slots;
    private Thread dispatcher;

    public RunExecutor(TrainingSettings settings, RunStore runs, ArtifactStore store, BaseModels baseModels,
            TrainingEventPublisher events, TrainingMetrics metrics, Tracer tracer) {
        this.settings = settings;
        this.runs = runs;
        this.store = store;
        this.baseModels = baseModels;
        this.events = events;
        this.metrics = metrics;
        this.tracer = tracer;
        this.owner = settings.instanceId().orElse(ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID());
    }

    void onStart(@Observes StartupEvent startup) {
        start();
    }

    void onStop(@Observes ShutdownEvent shutdown) {
        stop(Duration.ofSeconds(25));
    }

    /** Starts claiming and executing runs. */
    public synchronized void start() {
        if (dispatcher != null) {
            return;
        }
        stopping = false;
        slots = new Semaphore(settings.concurrency());
        workers = Executors.newFixedThreadPool(settings.concurrency(), r -> new Thread(r, "training-run"));
        dispatcher = new Thread(this::dispatch, "training-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
        LOG.infof("training executor %s started with %d slot(s)", owner, settings.concurrency());
    }

    /**
     * Stops claiming and asks every executing run to stop at its next step; they store a resumable
     * checkpoint and return to the queue, so this or another instance resumes them.
     */
    public synchronized void stop(Duration grace) {
        if (dispatcher == null) {
            return;
        }
        stopping = true;
        wakeUp();
        dispatcher.interrupt();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warnf("runs %s still executing after %s; their leases will expire and another instance resumes them",
                        executing, grace);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dispatcher = null;
        LOG.infof("training executor %s stopped", owner);
    }

    /** Called when a run was queued, so an idle slot claims it now rather than at the next poll. */
    public void wakeUp() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    public String owner() {
        return owner;
    }

    public Set<UUID> executing() {
        return Set.copyOf(executing);
    }

    private void dispatch() {
        while (!stopping) {
            try {
                metrics.refresh(runs);
                if (slots.tryAcquire()) {
                    long claimedAt = System.nanoTime(); // the lease is taken at the latest now: measured from here
                    Optional<UUID> claimed = claim();
                    if (claimed.isPresent()) {
                        submit(claimed.get(), claimedAt);
                        continue; // another slot may be free: look again at once
                    }
                    slots.release();
                }
                synchronized (wake) {
                    wake.wait(settings.pollInterval().toMillis()); // woken early by wakeUp()
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warnf("cannot claim runs (%s); retrying", e.getMessage());
                pauseAfterError();
            }
        }
    }

    private Optional<UUID> claim() {
        try {
            // Never a run one of this instance's own jobs still executes (its lease ran out during a long upload,
            // say): both jobs would hold it under the same owner, and no SQL ownership check tells them apart.
            return runs.claimNext(owner, executing);
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    private void submit(UUID runId, long claimedAt) {
        executing.add(runId);
        try {
            workers.execute(() -> execute(runId, claimedAt));
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            executing.remove(runId);
            slots.release();
            runs.release(runId, owner);
        }
    }

    /** Executes the run in the trace that queued it, so its log lines and events belong to that trace. */
    private void execute(UUID runId, long claimedAt) {
        {
            try {
                Optional<Run> run = runs.find(runId);
                run.ifPresent(r -> {
                    try (Scope trace = TraceContext.resume(tracer, r.traceparent, "training run")) {
                        new RunJob(r, owner, runs, store, baseModels, events, metrics,
                                () -> stopping, claimedAt, settings.lease(), settings.heartbeat(),
                                settings.progressInterval()).execute();
                    }
                });
            } finally {
                executing.remove(runId);
                metrics.ended(runId);
                slots.release();
                wakeUp();
            }
        }
    }

    private void pauseAfterError() {
        try {
            Thread.sleep(settings.pollInterval().toMillis()); // the database is away: back off, then look again
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

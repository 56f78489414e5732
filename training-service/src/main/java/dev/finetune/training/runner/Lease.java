package dev.finetune.training.runner;

import dev.finetune.training.domain.RunStore;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * What a job knows of its lease on a run. The lease is renewed on a thread of its own every heartbeat; it is
 * known to be held only until the expiry that the last successful renewal set, measured from when that renewal
 * was sent, so never later than the database's own {@code lease_until}. Once a renewal fails (the database is
 * away), finds the run taken over, or the expiry passes without one, the lease is no longer known to be held, for
 * good: another instance may own the run from then on, so the job must stop and write nothing more. A job never
 * writes on a lease it only hopes to have.
 */
final class Lease implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Lease.class);

    private enum State { HELD, LOST, UNKNOWN }

    private final UUID runId;
    private final Duration length;
    private final Supplier<RunStore.Heartbeat> renewal;
    private final ScheduledExecutorService renewer;

    private final AtomicReference<State> state = new AtomicReference<>(State.HELD);
    private volatile long expiresAt;
    private volatile boolean cancelRequested;

    /**
     * A lease of {@code length} taken at {@code claimedAt} ({@link System#nanoTime()} before the claim was sent),
     * renewed by {@code renewal} every {@code heartbeat} from now on.
     */
    Lease(UUID runId, long claimedAt, Duration length, Duration heartbeat, Supplier<RunStore.Heartbeat> renewal) {
        this.runId = runId;
        this.length = length;
        this.renewal = renewal;
        this.expiresAt = claimedAt + length.toNanos();
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "lease-" + runId));
        renewer.scheduleWithFixedDelay(this::renew, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Renews the lease now (also records the progress the renewal carries). Does nothing once the lease is no
     * longer known to be held: the run is left for its lease to run out and for another claim to take it over.
     */
    synchronized void renew() { // one renewal at a time: the renewer's and a confirm()
        if (state.get() != State.HELD) {
            return;
        }
        long sent = System.nanoTime();
        RunStore.Heartbeat answer;
        try {
            answer = renewal.get();
        } catch (RuntimeException e) {
            unknown("its renewal failed (" + e.getMessage() + ")");
            return;
        }
        if (answer == RunStore.Heartbeat.LOST) {
            lost();
            return;
        }
        expiresAt = sent + length.toNanos();
        cancelRequested = answer == RunStore.Heartbeat.CANCEL;
    }

    /** Whether the run is still known to be this job's: no failed renewal, no takeover, its expiry not passed. */
    boolean held() {
        if (state.get() == State.HELD && System.nanoTime() - expiresAt >= 0) {
            unknown("it expired without a successful renewal");
        }
        return state.get() == State.HELD;
    }

    /** Renews now and says whether the lease is held: before a write that no SQL ownership check guards. */
    boolean confirm() {
        renew();
        return held();
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    /** Another instance owns the run (a write found it so before the next renewal did). */
    void lost() {
        if (state.compareAndSet(State.HELD, State.LOST)) {
            LOG.warnf("run %s: taken over by another instance; this job stops after its current step", runId);
        }
    }

    /** Not synchronized: {@link #held()} must answer at once even while a renewal hangs on the database. */
    private void unknown(String why) {
        if (state.compareAndSet(State.HELD, State.UNKNOWN)) {
            LOG.warnf("run %s: lease no longer known to be held: %s; this job stops after its current step and "
                    + "writes nothing more (the run is taken over once its lease has run out)", runId, why);
        }
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }
}

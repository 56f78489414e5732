package dev.finetune.support.limit;

import java.util.concurrent.Semaphore;

/**
 * How many of one kind of request an instance takes at once (uploads, progress streams, predictions). A caller
 * that finds every slot taken is told to come back (429 with Retry-After) instead of queued: waiting would hold a
 * worker thread or a connection, and a client retrying after Retry-After spreads the load where a queue would
 * only grow. Each service's limit is a subclass that names its setting; the setting's bound is checked at start.
 */
public class ConcurrencyLimit {

    private final int max;
    private final Semaphore slots;

    protected ConcurrencyLimit(String setting, int max, int upperBound) {
        if (max < 1 || max > upperBound) {
            throw new IllegalArgumentException(setting + " must be within 1.." + upperBound + ", was " + max);
        }
        this.max = max;
        this.slots = new Semaphore(max);
    }

    /** Takes a slot if one is free now; the caller releases it with {@link #release()} when done. */
    public boolean tryEnter() {
        return slots.tryAcquire();
    }

    public void release() {
        slots.release();
    }

    /** Slots free now. */
    public int available() {
        return slots.availablePermits();
    }

    /** The most taken at once. */
    public int max() {
        return max;
    }
}

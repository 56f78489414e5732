package dev.finetune.dataset.ingest;

import dev.finetune.dataset.config.DatasetConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Semaphore;

/**
 * Bounds the uploads one instance takes at once ({@code dataset.upload.max-concurrent}), as registry-service's
 * PredictGate bounds predictions. Each upload holds a worker thread and up to {@code dataset.upload.max-bytes} of
 * spool and build files on local disk for as long as its client takes to send; one more is told to come back
 * (429 with Retry-After) rather than queued, so a burst of slow clients cannot fill the disk or the worker pool.
 */
@ApplicationScoped
public class UploadGate {

    private final Semaphore slots;
    private final int max;

    public UploadGate(DatasetConfig config) {
        this.max = config.upload().maxConcurrent();
        if (max < 1 || max > 100) {
            throw new IllegalArgumentException("dataset.upload.max-concurrent must be within 1..100, was " + max);
        }
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

    /** The most uploads taken at once. */
    public int max() {
        return max;
    }
}

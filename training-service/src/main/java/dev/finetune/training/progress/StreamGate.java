package dev.finetune.training.progress;

import dev.finetune.training.config.TrainingSettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Semaphore;

/**
 * Bounds the progress streams open at once on this instance ({@code training.progress.max-streams}). A client
 * that finds every slot taken is told to come back (429) rather than queued: each stream holds a connection for
 * as long as its run trains, and a slot frees only when a stream ends or its client goes away.
 */
@ApplicationScoped
public class StreamGate {

    private final int max;
    private final Semaphore slots;

    public StreamGate(TrainingSettings settings) {
        this.max = settings.progress().maxStreams();
        if (max < 1 || max > 10_000) {
            throw new IllegalArgumentException("training.progress.max-streams must be within 1..10000, was " + max);
        }
        this.slots = new Semaphore(max);
    }

    /** Takes a slot if one is free now; the caller releases it with {@link #release()} when its stream ends. */
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

    public int max() {
        return max;
    }
}

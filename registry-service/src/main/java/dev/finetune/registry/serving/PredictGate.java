package dev.finetune.registry.serving;

import dev.finetune.registry.config.RegistrySettings;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Semaphore;

/**
 * Bounds the predictions one instance computes at once ({@code registry.predict.max-concurrent}). A caller that
 * finds every slot taken is told to come back (429) instead of waiting: waiting would hold a worker thread and its
 * request in memory, and a client retrying after Retry-After spreads the load where a queue would only grow.
 */
@ApplicationScoped
public class PredictGate {

    private final Semaphore slots;

    public PredictGate(RegistrySettings settings) {
        this.slots = new Semaphore(settings.predict().maxConcurrent());
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
}

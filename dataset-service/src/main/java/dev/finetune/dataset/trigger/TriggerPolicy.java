package dev.finetune.dataset.trigger;

import java.time.Instant;
import java.util.Optional;

/** The decision alone, no I/O: given what is pending, should a version be cut now, and why. */
public final class TriggerPolicy {

    private TriggerPolicy() {
    }

    /** How far pending records need counting to decide. */
    public static int countLimit(TriggerSettings settings, Integer retryAtPending) {
        int limit = Math.max(settings.newExamples(), settings.partialExamples());
        return retryAtPending == null ? limit : Math.max(limit, retryAtPending);
    }

    /**
     * @param pending pending examples (counted up to {@link #countLimit})
     * @param oldestPending when the oldest pending example arrived; null when none
     * @param retryAtPending after a failed build, the pending count to wait for before trying again; or null
     * @return the reason to cut a version now, or empty
     */
    public static Optional<String> decide(TriggerSettings settings, int pending, Instant oldestPending, Instant now,
                                          Integer retryAtPending) {
        if (pending == 0) {
            return Optional.empty();
        }
        if (retryAtPending != null && pending < retryAtPending) {
            return Optional.empty();
        }
        if (pending >= settings.newExamples()) {
            return Optional.of(pending + " examples pending (N=" + settings.newExamples() + ")");
        }
        if (pending >= settings.partialExamples() && oldestPending != null
                && !oldestPending.plus(settings.partialAfter()).isAfter(now)) {
            return Optional.of(pending + " examples pending (M=" + settings.partialExamples()
                    + ") and the oldest waited " + settings.partialAfter() + " (T)");
        }
        return Optional.empty();
    }
}

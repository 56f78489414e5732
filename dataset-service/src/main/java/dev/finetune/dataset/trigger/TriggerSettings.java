package dev.finetune.dataset.trigger;

import java.time.Duration;

/**
 * When pending records become a version: {@code newExamples} (N) pending, or {@code partialExamples} (M)
 * pending of which the oldest has waited {@code partialAfter} (T).
 */
public record TriggerSettings(int newExamples, int partialExamples, Duration partialAfter) {

    /** More pending records than this would never make one version (a build reads at most a few million). */
    public static final int MAX_EXAMPLES = 10_000_000;
    /** A partial version waits at most this long: beyond it the time rule would never fire in practice. */
    public static final Duration MAX_PARTIAL_AFTER = Duration.ofDays(30);

    public TriggerSettings {
        if (newExamples < 1 || newExamples > MAX_EXAMPLES || partialExamples < 1 || partialExamples > MAX_EXAMPLES
                || partialAfter == null || partialAfter.isNegative() || partialAfter.compareTo(MAX_PARTIAL_AFTER) > 0) {
            throw new IllegalArgumentException("trigger needs N and M within 1.." + MAX_EXAMPLES + " and T within PT0S.."
                    + MAX_PARTIAL_AFTER + ", got N=" + newExamples + " M=" + partialExamples + " T=" + partialAfter);
        }
    }
}

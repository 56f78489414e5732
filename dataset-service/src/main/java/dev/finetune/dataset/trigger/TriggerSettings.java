package dev.finetune.dataset.trigger;

import java.time.Duration;

/**
 * When pending records become a version: {@code newExamples} (N) pending, or {@code partialExamples} (M)
 * pending of which the oldest has waited {@code partialAfter} (T).
 */
public record TriggerSettings(int newExamples, int partialExamples, Duration partialAfter) {

    public TriggerSettings {
        if (newExamples < 1 || partialExamples < 1 || partialAfter == null || partialAfter.isNegative()) {
            throw new IllegalArgumentException("trigger needs N >= 1, M >= 1 and T >= 0, got N=" + newExamples
                    + " M=" + partialExamples + " T=" + partialAfter);
        }
    }
}

package dev.finetune.dataset.preparation;

import java.util.Map;

/**
 * Counts of a version: examples per split, per label and per split and label, how many are new, and text
 * lengths in characters.
 */
public record Statistics(long examples, long newExamples, long carriedOver, Map<String, Long> perSplit,
                         Map<String, Long> perLabel, Map<String, Map<String, Long>> perSplitAndLabel,
                         TextLength textLength) {

    public record TextLength(int min, double mean, int max) {
    }
}

package dev.finetune.evaluation.scoring;

/**
 * The metrics of a subset of the test split. Null metrics for an empty slice; macro-F1 averages the labels
 * that occur in the slice (as truth or prediction), so a slice without some label is not punished for it.
 */
public record SliceMetrics(int count, Double accuracy, Double macroF1, Double logLoss, Double ece) {

    static SliceMetrics empty() {
        return new SliceMetrics(0, null, null, null, null);
    }
}

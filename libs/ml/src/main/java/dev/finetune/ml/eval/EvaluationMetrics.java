package dev.finetune.ml.eval;

import java.util.List;
import java.util.Map;

/**
 * Quality of a classifier on one labelled split.
 *
 * @param labels label names, in the order of the confusion matrix
 * @param confusion rows: true label, columns: predicted label
 * @param logLoss mean negative log-probability of the true label
 * @param expectedCalibrationError ECE over 10 equal-width confidence bins
 */
public record EvaluationMetrics(
        int count,
        double accuracy,
        double macroF1,
        Map<String, LabelMetrics> perLabel,
        List<String> labels,
        int[][] confusion,
        double logLoss,
        double expectedCalibrationError) {}

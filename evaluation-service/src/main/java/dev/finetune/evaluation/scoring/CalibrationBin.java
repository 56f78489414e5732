package dev.finetune.evaluation.scoring;

/**
 * One bar of a reliability diagram: the predictions whose confidence falls in {@code [lower, upper)} (the last
 * bin includes 1.0), their mean confidence and how many were right. Null means for an empty bin.
 */
public record CalibrationBin(double lower, double upper, int count, Double meanConfidence, Double accuracy) {
}

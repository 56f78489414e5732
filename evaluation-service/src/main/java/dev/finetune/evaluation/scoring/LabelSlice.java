package dev.finetune.evaluation.scoring;

/**
 * One label's slice: precision, recall and F1 over the whole split, and log loss and calibration error over
 * the examples whose true label it is (accuracy on those is the recall).
 */
public record LabelSlice(int support, double precision, double recall, double f1, Double logLoss, Double ece) {
}

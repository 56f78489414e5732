package dev.finetune.ml.eval;

/** Precision, recall and F1 of one label, with its support (true examples of the label). */
public record LabelMetrics(double precision, double recall, double f1, int support) {}

package dev.finetune.ml.train;

import dev.finetune.ml.eval.EvaluationMetrics;

/** One evaluation of a run: after an epoch (or at the step cap), mean training loss and validation metrics (null without a validation split). */
public record EpochMetrics(int epoch, long step, double trainLoss, EvaluationMetrics validation) {}

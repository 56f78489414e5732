package dev.finetune.ml.train;

/**
 * Progress after one optimizer step; speeds are averages over the run so far.
 *
 * @param loss the step's loss; NaN for a step the non-finite guard skipped ({@link TrainingListener#onSkippedStep})
 * @param skippedSteps steps of the run so far whose update the non-finite guard skipped (a finite run has none)
 */
public record TrainingProgress(
        long step,
        long totalSteps,
        int epoch,
        double loss,
        double learningRate,
        double samplesPerSecond,
        double tokensPerSecond,
        long skippedSteps) {}

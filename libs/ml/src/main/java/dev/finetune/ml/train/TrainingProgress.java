package dev.finetune.ml.train;

/** Progress after one optimizer step; speeds are averages over the run so far. */
public record TrainingProgress(
        long step,
        long totalSteps,
        int epoch,
        double loss,
        double learningRate,
        double samplesPerSecond,
        double tokensPerSecond) {}

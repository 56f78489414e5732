package dev.finetune.ml.train;

import java.util.List;

/**
 * Where a run stands, saved in a resumable checkpoint next to the optimizer moments: with the seed it
 * fixes the data order (epoch, batch within the epoch), the learning-rate schedule and the history.
 * {@code skippedSteps} reads 0 from a checkpoint written before it was recorded.
 */
public record TrainingState(
        long step,
        long totalSteps,
        int epoch,
        int batchInEpoch,
        double epochLossSum,
        int epochLossCount,
        double bestMetric,
        long bestStep,
        int evaluationsWithoutImprovement,
        long samplesSeen,
        long tokensSeen,
        double trainSeconds,
        List<EpochMetrics> history,
        long skippedSteps) {}

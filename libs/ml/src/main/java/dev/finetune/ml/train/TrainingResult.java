package dev.finetune.ml.train;

import dev.finetune.ml.packaging.ModelPackage;

import java.util.List;

/**
 * The outcome of {@link FineTuner#train} or {@link FineTuner#resume}.
 *
 * @param bestPackage the model at the best validation metric (the final one without validation), without training state
 * @param finalPackage the model where training ended, resumable
 * @param history evaluations, oldest first (including those before a resume)
 * @param steps optimizer steps done in total
 * @param losses training loss of each step run by this call
 * @param stopped true when the listener asked to stop before the end
 * @param earlyStopped true when validation stopped improving for the configured patience
 * @param skippedSteps steps whose update the non-finite guard skipped, in total (including before a resume)
 */
public record TrainingResult(
        ModelPackage bestPackage,
        ModelPackage finalPackage,
        List<EpochMetrics> history,
        long steps,
        List<Double> losses,
        double trainSeconds,
        double samplesPerSecond,
        double tokensPerSecond,
        boolean stopped,
        boolean earlyStopped,
        long skippedSteps) {}

package dev.finetune.ml.train;

import dev.finetune.ml.packaging.ModelPackage;

/**
 * Callbacks from a running fine-tune: progress, evaluations and checkpoints (which a service streams
 * to S3), and a stop request checked after every step. All calls come from the training thread.
 */
public interface TrainingListener {

    /** A listener that ignores everything and never asks for checkpoints. */
    TrainingListener NONE = new TrainingListener() {
        @Override
        public boolean wantsCheckpoints() {
            return false;
        }
    };

    default void onStep(TrainingProgress progress) {}

    /**
     * A step whose loss or gradient was not finite: the non-finite guard skipped its update, so weights and
     * optimizer state are as before it. Called when it happens, instead of {@link #onStep}; {@code progress.loss()}
     * is NaN and {@code progress.skippedSteps()} counts this step. A correct run never calls it.
     */
    default void onSkippedStep(TrainingProgress progress) {}

    default void onEvaluation(EpochMetrics metrics) {}

    /** Called only when {@link #wantsCheckpoints()}; building a package copies the weights, so it is not free. */
    default void onCheckpoint(CheckpointReason reason, ModelPackage checkpoint) {}

    default boolean wantsCheckpoints() {
        return true;
    }

    /** Polled after each step; when true the run ends with a resumable {@link CheckpointReason#STOPPED} checkpoint. */
    default boolean stopRequested() {
        return false;
    }
}

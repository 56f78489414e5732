package dev.finetune.ml.train;

/** Why a checkpoint was emitted to the {@link TrainingListener}. */
public enum CheckpointReason {
    /** An epoch ended (resumable package). */
    EPOCH_END,
    /** The validation metric improved (package without training state). */
    VALIDATION_IMPROVED,
    /** The listener asked to stop (resumable package). */
    STOPPED
}

package dev.finetune.ml.train;

/** How the loss weights each label. */
public enum ClassWeights {
    /** Every example counts the same. */
    NONE,
    /** Weight n / (labels * n_label), so rare labels count as much as common ones. */
    BALANCED,
    /** {@link #BALANCED} when the most common label has more than 1.5x the examples of the rarest, else {@link #NONE}. */
    AUTO
}

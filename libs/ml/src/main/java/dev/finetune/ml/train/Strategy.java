package dev.finetune.ml.train;

/** Which weights fine-tuning updates. */
public enum Strategy {
    /** Every weight: embeddings, all encoder layers and the head. */
    FULL,
    /** The head only, on sentence embeddings computed once and cached: many epochs at almost no cost. */
    HEAD,
    /** The top {@link TrainingConfig#lastLayers()} encoder layers and the head. */
    LAST_N
}

package dev.finetune.ml.classifier;

import java.util.List;

/**
 * A fine-tuned text classifier ready to score, whichever engine runs it ({@link InferenceEngine}): what serving and
 * evaluation call, so the metrics that promote a version are those of the engine that serves it.
 */
public interface Classifier extends AutoCloseable {

    /** The labels, in the order of every row of {@link #probabilities}. */
    List<String> labels();

    /** Probabilities [texts][labels], labels in {@link #labels()} order. */
    float[][] probabilities(List<String> texts);

    /** The most probable label of each text, with every label's probability. */
    default List<Prediction> predict(List<String> texts) {
        return Prediction.of(labels(), probabilities(texts));
    }

    @Override
    void close();
}

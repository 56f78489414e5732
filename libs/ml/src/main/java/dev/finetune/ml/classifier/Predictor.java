package dev.finetune.ml.classifier;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.ml.runtime.GradMode;
import dev.finetune.ml.tokenizer.TokenBatch;

import java.util.List;

/**
 * Batched inference of label probabilities, shared by {@link TextClassifier} and validation during
 * training: texts sorted by length, one sub-manager per batch, autograd off.
 */
public final class Predictor {

    private Predictor() {}

    /** Probabilities [texts][labels] in input order. */
    public static float[][] probabilities(ClassifierNetwork network, NDManager parent, List<long[]> ids, int batchSize) {
        int labels = network.numLabels();
        try (GradMode ignored = GradMode.off()) {
            return LengthBatches.score(ids, batchSize, chunk -> {
                try (NDManager batch = parent.newSubManager()) {
                    NDArray logits = network.apply(TokenBatch.of(chunk).toNDList(batch), false).singletonOrThrow();
                    float[] flat = logits.softmax(-1).toFloatArray();
                    float[][] rows = new float[chunk.size()][labels];
                    for (int i = 0; i < chunk.size(); i++) {
                        System.arraycopy(flat, i * labels, rows[i], 0, labels);
                    }
                    return rows;
                }
            });
        }
    }
}

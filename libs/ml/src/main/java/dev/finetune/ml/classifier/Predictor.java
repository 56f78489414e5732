package dev.finetune.ml.classifier;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.finetune.ml.runtime.GradMode;
import dev.finetune.ml.tokenizer.TokenBatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Batched inference of label probabilities, shared by {@link TextClassifier} and validation during
 * training: texts sorted by length, one sub-manager per batch, autograd off.
 */
public final class Predictor {

    private Predictor() {}

    /** Probabilities [texts][labels] in input order. */
    public static float[][] probabilities(ClassifierNetwork network, NDManager parent, List<long[]> ids, int batchSize) {
        int[] order = IntStream.range(0, ids.size()).boxed()
                .sorted(Comparator.comparingInt(i -> ids.get(i).length))
                .mapToInt(Integer::intValue).toArray();
        int labels = network.numLabels();
        float[][] out = new float[ids.size()][];
        try (GradMode ignored = GradMode.off()) {
            for (int start = 0; start < order.length; start += batchSize) {
                int end = Math.min(order.length, start + batchSize);
                List<long[]> chunk = new ArrayList<>(end - start);
                for (int i = start; i < end; i++) {
                    chunk.add(ids.get(order[i]));
                }
                try (NDManager batch = parent.newSubManager()) {
                    NDArray logits = network.apply(TokenBatch.of(chunk).toNDList(batch), false).singletonOrThrow();
                    float[] flat = logits.softmax(-1).toFloatArray();
                    for (int i = start; i < end; i++) {
                        float[] row = new float[labels];
                        System.arraycopy(flat, (i - start) * labels, row, 0, labels);
                        out[order[i]] = row;
                    }
                }
            }
        }
        return out;
    }
}

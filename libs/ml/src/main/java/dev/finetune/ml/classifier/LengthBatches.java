package dev.finetune.ml.classifier;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Scores tokenised texts in batches of similar length, so a batch pads little, and returns the rows in input
 * order: what every inference path does, whichever engine scores a batch.
 */
final class LengthBatches {

    private LengthBatches() {}

    /**
     * Probabilities [texts][labels] in input order; {@code scorer} scores one batch (its rows in the batch's
     * order).
     */
    static float[][] score(List<long[]> ids, int batchSize, Function<List<long[]>, float[][]> scorer) {
        int[] order = IntStream.range(0, ids.size()).boxed()
                .sorted(Comparator.comparingInt(i -> ids.get(i).length))
                .mapToInt(Integer::intValue).toArray();
        float[][] out = new float[ids.size()][];
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(order.length, start + batchSize);
            List<long[]> chunk = new ArrayList<>(end - start);
            for (int i = start; i < end; i++) {
                chunk.add(ids.get(order[i]));
            }
            float[][] rows = scorer.apply(chunk);
            for (int i = start; i < end; i++) {
                out[order[i]] = rows[i - start];
            }
        }
        return out;
    }
}

package dev.finetune.ml.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The batches of one epoch: shuffled, then sorted by length inside windows of 50 batches and cut, so
 * short texts are batched with short ones (little padding) while the order stays random. A pure
 * function of (seed, epoch, lengths): a resumed run rebuilds exactly the same plan.
 */
final class BatchPlan {

    private static final int WINDOW_BATCHES = 50;

    private BatchPlan() {}

    static List<int[]> forEpoch(int[] lengths, int batchSize, long seed, int epoch) {
        Random random = new Random(seed * 1_000_003L + epoch);
        List<Integer> order = new ArrayList<>(lengths.length);
        for (int i = 0; i < lengths.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        List<int[]> batches = new ArrayList<>();
        int window = batchSize * WINDOW_BATCHES;
        for (int start = 0; start < order.size(); start += window) {
            List<Integer> chunk = new ArrayList<>(order.subList(start, Math.min(order.size(), start + window)));
            chunk.sort(Comparator.comparingInt(i -> lengths[i])); // stable: ties keep the shuffled order
            for (int b = 0; b < chunk.size(); b += batchSize) {
                batches.add(chunk.subList(b, Math.min(chunk.size(), b + batchSize)).stream().mapToInt(Integer::intValue).toArray());
            }
        }
        Collections.shuffle(batches, random);
        return batches;
    }

    static int batchesPerEpoch(int examples, int batchSize) {
        // Windows are multiples of the batch size, so only the last window can leave a short batch.
        return (examples + batchSize - 1) / batchSize;
    }
}

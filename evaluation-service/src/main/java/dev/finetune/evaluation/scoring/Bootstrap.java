package dev.finetune.evaluation.scoring;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Paired bootstrap of the accuracy difference between two models on the same examples: resample examples with
 * replacement, keep each example's pair of outcomes together, and read the interval off the percentiles.
 */
public final class Bootstrap {

    private Bootstrap() {
    }

    /** An interval of the accuracy difference (candidate minus champion). */
    public record Interval(double low, double high, double confidence, int resamples, long seed) {
    }

    /**
     * The percentile interval of {@code accuracy(candidate) - accuracy(champion)}.
     *
     * @param candidateCorrect whether the candidate got example i right
     * @param championCorrect whether the champion got the same example i right
     * @param confidence e.g. 0.95
     * @param seed fixed, so the same outcomes give the same interval
     */
    public static Interval accuracyDifference(boolean[] candidateCorrect, boolean[] championCorrect, int resamples,
                                              double confidence, long seed) {
        if (candidateCorrect.length != championCorrect.length) {
            throw new IllegalArgumentException("paired outcomes differ in length: " + candidateCorrect.length + " and "
                    + championCorrect.length);
        }
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples must be at least 1, got " + resamples);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
        int n = candidateCorrect.length;
        if (n == 0) {
            return new Interval(0, 0, confidence, resamples, seed);
        }
        // Per example: +1 only the candidate right, -1 only the champion right, 0 both or neither.
        int[] difference = new int[n];
        for (int i = 0; i < n; i++) {
            difference[i] = (candidateCorrect[i] ? 1 : 0) - (championCorrect[i] ? 1 : 0);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            long sum = 0;
            for (int i = 0; i < n; i++) {
                sum += difference[random.nextInt(n)];
            }
            means[r] = (double) sum / n;
        }
        Arrays.sort(means);
        double alpha = 1 - confidence;
        int lowIndex = (int) Math.floor(alpha / 2 * resamples);
        int highIndex = (int) Math.ceil((1 - alpha / 2) * resamples) - 1;
        return new Interval(means[Math.max(0, Math.min(resamples - 1, lowIndex))],
                means[Math.max(0, Math.min(resamples - 1, highIndex))], confidence, resamples, seed);
    }
}

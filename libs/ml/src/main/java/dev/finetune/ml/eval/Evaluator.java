package dev.finetune.ml.eval;

import dev.finetune.ml.classifier.Classifier;
import dev.finetune.ml.data.Example;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Computes {@link EvaluationMetrics} and {@link LatencyMetrics} for a classifier. */
public final class Evaluator {

    private static final int CALIBRATION_BINS = 10;
    private static final int THROUGHPUT_BATCH = 32;

    private Evaluator() {}

    /** Predicts every example (batched) and scores the predictions. Unknown labels are an error. */
    public static EvaluationMetrics evaluate(Classifier classifier, List<Example> examples) {
        List<String> texts = examples.stream().map(Example::text).toList();
        float[][] probabilities = classifier.probabilities(texts);
        return score(classifier.labels(), truth(classifier.labels(), examples), probabilities);
    }

    /** Label indices of the examples; fails naming the first label the model does not know. */
    public static int[] truth(List<String> labels, List<Example> examples) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            index.put(labels.get(i), i);
        }
        int[] truth = new int[examples.size()];
        for (int i = 0; i < truth.length; i++) {
            Integer k = index.get(examples.get(i).label());
            if (k == null) {
                throw new IllegalArgumentException("example " + i + " has label '" + examples.get(i).label()
                        + "' which the model does not know; labels are " + labels);
            }
            truth[i] = k;
        }
        return truth;
    }

    /** Scores probabilities [n][labels] against true label indices. */
    public static EvaluationMetrics score(List<String> labels, int[] truth, float[][] probabilities) {
        int c = labels.size();
        int n = truth.length;
        int[][] confusion = new int[c][c];
        double logLoss = 0;
        double[] binConfidence = new double[CALIBRATION_BINS];
        double[] binCorrect = new double[CALIBRATION_BINS];
        int[] binCount = new int[CALIBRATION_BINS];
        int correct = 0;
        for (int i = 0; i < n; i++) {
            float[] p = probabilities[i];
            int predicted = argmax(p);
            confusion[truth[i]][predicted]++;
            if (predicted == truth[i]) {
                correct++;
            }
            logLoss -= Math.log(Math.max(p[truth[i]], 1e-15));
            int bin = Math.min(CALIBRATION_BINS - 1, (int) (p[predicted] * CALIBRATION_BINS));
            binConfidence[bin] += p[predicted];
            binCorrect[bin] += predicted == truth[i] ? 1 : 0;
            binCount[bin]++;
        }
        double ece = 0;
        for (int b = 0; b < CALIBRATION_BINS; b++) {
            if (binCount[b] > 0) {
                ece += Math.abs(binConfidence[b] - binCorrect[b]) / n;
            }
        }
        Map<String, LabelMetrics> perLabel = new LinkedHashMap<>();
        double f1Sum = 0;
        for (int k = 0; k < c; k++) {
            int tp = confusion[k][k];
            int predictedK = 0;
            int actualK = 0;
            for (int j = 0; j < c; j++) {
                predictedK += confusion[j][k];
                actualK += confusion[k][j];
            }
            double precision = predictedK == 0 ? 0 : (double) tp / predictedK;
            double recall = actualK == 0 ? 0 : (double) tp / actualK;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perLabel.put(labels.get(k), new LabelMetrics(precision, recall, f1, actualK));
            f1Sum += f1;
        }
        return new EvaluationMetrics(n, n == 0 ? 0 : (double) correct / n, c == 0 ? 0 : f1Sum / c, perLabel,
                List.copyOf(labels), confusion, n == 0 ? 0 : logLoss / n, ece);
    }

    /**
     * Latency of {@code requests} single-text predictions (p50, p95) and throughput of batches of 32,
     * after a short warm-up; texts are cycled when fewer than needed.
     */
    public static LatencyMetrics latency(Classifier classifier, List<String> texts, int requests) {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("latency needs at least one text");
        }
        for (int i = 0; i < Math.min(5, requests); i++) {
            classifier.probabilities(List.of(texts.get(i % texts.size())));
        }
        double[] millis = new double[requests];
        for (int i = 0; i < requests; i++) {
            long t0 = System.nanoTime();
            classifier.probabilities(List.of(texts.get(i % texts.size())));
            millis[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(millis);
        List<String> batch = new ArrayList<>(THROUGHPUT_BATCH);
        for (int i = 0; i < THROUGHPUT_BATCH; i++) {
            batch.add(texts.get(i % texts.size()));
        }
        classifier.probabilities(batch);
        int rounds = Math.max(1, requests / THROUGHPUT_BATCH);
        long t0 = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            classifier.probabilities(batch);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new LatencyMetrics(percentile(millis, 0.50), percentile(millis, 0.95), rounds * THROUGHPUT_BATCH / seconds);
    }

    private static double percentile(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}

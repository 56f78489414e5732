package dev.finetune.evaluation.scoring;

import dev.finetune.ml.eval.EvaluationMetrics;
import dev.finetune.ml.eval.Evaluator;
import dev.finetune.ml.eval.LabelMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model's predictions on the test split and everything derived from them: the metrics (computed by
 * {@link Evaluator#score}, the same code the model library's evaluation uses), the slices, the calibration
 * bins and the per-example outcomes the paired comparison needs. Pure: no model, no I/O.
 */
public final class ScoreSheet {

    /** Same binning as the library's expected calibration error, so the diagram and the ECE agree. */
    public static final int CALIBRATION_BINS = 10;

    private final List<String> labels;
    private final int[] truth;
    private final float[][] probabilities;
    private final int[] predicted;
    private final EvaluationMetrics metrics;

    private ScoreSheet(List<String> labels, int[] truth, float[][] probabilities) {
        if (truth.length != probabilities.length) {
            throw new IllegalArgumentException(truth.length + " examples but " + probabilities.length
                    + " rows of probabilities");
        }
        this.labels = List.copyOf(labels);
        this.truth = truth.clone();
        this.probabilities = probabilities;
        this.predicted = new int[truth.length];
        for (int i = 0; i < truth.length; i++) {
            predicted[i] = argmax(probabilities[i]);
        }
        this.metrics = Evaluator.score(this.labels, this.truth, probabilities);
    }

    /**
     * @param labels the model's labels, in the order of its outputs
     * @param truth index into {@code labels} of each example's true label
     * @param probabilities [examples][labels]
     */
    public static ScoreSheet of(List<String> labels, int[] truth, float[][] probabilities) {
        return new ScoreSheet(labels, truth, probabilities);
    }

    public List<String> labels() {
        return labels;
    }

    public EvaluationMetrics metrics() {
        return metrics;
    }

    public int size() {
        return truth.length;
    }

    /** The predicted label's name of each example. */
    public List<String> predictedLabels() {
        List<String> names = new ArrayList<>(predicted.length);
        for (int p : predicted) {
            names.add(labels.get(p));
        }
        return names;
    }

    /** Whether the model got each example right. */
    public boolean[] correct() {
        boolean[] correct = new boolean[truth.length];
        for (int i = 0; i < truth.length; i++) {
            correct[i] = predicted[i] == truth[i];
        }
        return correct;
    }

    /** The summary metrics by the names the event and the report use. */
    public Map<String, Double> qualityMetrics() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("accuracy", metrics.accuracy());
        out.put("macroF1", metrics.macroF1());
        out.put("logLoss", metrics.logLoss());
        out.put("ece", metrics.expectedCalibrationError());
        return out;
    }

    public Map<String, Double> perLabelF1() {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.perLabel().forEach((label, m) -> out.put(label, m.f1()));
        return out;
    }

    /** Confidence of the predicted label against how often it was right, in 10 equal-width bins. */
    public List<CalibrationBin> calibration() {
        double[] confidence = new double[CALIBRATION_BINS];
        int[] right = new int[CALIBRATION_BINS];
        int[] count = new int[CALIBRATION_BINS];
        for (int i = 0; i < truth.length; i++) {
            float p = probabilities[i][predicted[i]];
            int bin = Math.min(CALIBRATION_BINS - 1, (int) (p * CALIBRATION_BINS));
            confidence[bin] += p;
            right[bin] += predicted[i] == truth[i] ? 1 : 0;
            count[bin]++;
        }
        List<CalibrationBin> bins = new ArrayList<>(CALIBRATION_BINS);
        for (int b = 0; b < CALIBRATION_BINS; b++) {
            bins.add(new CalibrationBin((double) b / CALIBRATION_BINS, (double) (b + 1) / CALIBRATION_BINS, count[b],
                    count[b] == 0 ? null : confidence[b] / count[b], count[b] == 0 ? null : (double) right[b] / count[b]));
        }
        return bins;
    }

    /** Metrics per text-length bucket; {@code texts} are the examples' texts in split order. */
    public Map<String, SliceMetrics> byLength(List<String> texts, LengthBuckets buckets) {
        if (texts.size() != truth.length) {
            throw new IllegalArgumentException(texts.size() + " texts for " + truth.length + " examples");
        }
        Map<String, List<Integer>> members = new LinkedHashMap<>();
        LengthBuckets.NAMES.forEach(name -> members.put(name, new ArrayList<>()));
        for (int i = 0; i < texts.size(); i++) {
            members.get(buckets.bucket(texts.get(i))).add(i);
        }
        Map<String, SliceMetrics> out = new LinkedHashMap<>();
        members.forEach((name, indices) -> out.put(name, slice(indices)));
        return out;
    }

    /** Per label: precision, recall, F1 over the split; log loss and ECE over the label's true examples. */
    public Map<String, LabelSlice> byLabel() {
        Map<String, LabelSlice> out = new LinkedHashMap<>();
        for (int k = 0; k < labels.size(); k++) {
            List<Integer> indices = new ArrayList<>();
            for (int i = 0; i < truth.length; i++) {
                if (truth[i] == k) {
                    indices.add(i);
                }
            }
            SliceMetrics own = slice(indices);
            LabelMetrics m = metrics.perLabel().get(labels.get(k));
            out.put(labels.get(k), new LabelSlice(m.support(), m.precision(), m.recall(), m.f1(), own.logLoss(),
                    own.ece()));
        }
        return out;
    }

    private SliceMetrics slice(List<Integer> indices) {
        if (indices.isEmpty()) {
            return SliceMetrics.empty();
        }
        int[] sliceTruth = new int[indices.size()];
        float[][] sliceProbabilities = new float[indices.size()][];
        for (int j = 0; j < indices.size(); j++) {
            sliceTruth[j] = truth[indices.get(j)];
            sliceProbabilities[j] = probabilities[indices.get(j)];
        }
        EvaluationMetrics m = Evaluator.score(labels, sliceTruth, sliceProbabilities);
        double f1Sum = 0;
        int present = 0;
        for (int k = 0; k < labels.size(); k++) {
            int occurrences = 0;
            for (int j = 0; j < labels.size(); j++) {
                occurrences += m.confusion()[k][j] + m.confusion()[j][k];
            }
            if (occurrences > 0) {
                f1Sum += m.perLabel().get(labels.get(k)).f1();
                present++;
            }
        }
        return new SliceMetrics(m.count(), m.accuracy(), present == 0 ? 0.0 : f1Sum / present, m.logLoss(),
                m.expectedCalibrationError());
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}

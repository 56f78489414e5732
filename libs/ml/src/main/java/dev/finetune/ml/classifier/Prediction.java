package dev.finetune.ml.classifier;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The predicted label of one text and the probability of every label. */
public record Prediction(String label, double confidence, Map<String, Double> probabilities) {

    /** The most probable label of each row of {@code probabilities} [texts][labels], with every label's probability. */
    public static List<Prediction> of(List<String> labels, float[][] probabilities) {
        List<Prediction> out = new ArrayList<>(probabilities.length);
        for (float[] p : probabilities) {
            Map<String, Double> byLabel = new LinkedHashMap<>();
            int best = 0;
            for (int k = 0; k < p.length; k++) {
                byLabel.put(labels.get(k), (double) p[k]);
                if (p[k] > p[best]) {
                    best = k;
                }
            }
            out.add(new Prediction(labels.get(best), p[best], byLabel));
        }
        return out;
    }
}

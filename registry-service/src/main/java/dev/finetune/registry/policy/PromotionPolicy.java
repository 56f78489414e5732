package dev.finetune.registry.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.finetune.support.problem.ProblemException;

/**
 * When a candidate may become production. Absolute thresholds apply to every candidate; the relative
 * ones compare it with the current production version on the same examples and apply only when there
 * is one. A null threshold is not checked.
 *
 * @param minAccuracy lowest accuracy on the test split
 * @param minMacroF1 lowest macro-F1
 * @param maxEce highest expected calibration error
 * @param maxLatencyP95Ms highest p95 latency at batch 1, in milliseconds
 * @param minImprovement lowest accuracy gain over production (0: at least as good)
 * @param maxLabelF1Regression largest drop of any one label's F1 against production
 * @param significanceLevel the gain must be significant at this level (McNemar p-value below it, and the
 *        bootstrap interval of the accuracy difference above 0); null: not required
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PromotionPolicy(Double minAccuracy, Double minMacroF1, Double maxEce, Double maxLatencyP95Ms,
        Double minImprovement, Double maxLabelF1Regression, Double significanceLevel) {

    /** These thresholds where set, {@code base}'s elsewhere. */
    public PromotionPolicy over(PromotionPolicy base) {
        return new PromotionPolicy(pick(minAccuracy, base.minAccuracy), pick(minMacroF1, base.minMacroF1),
                pick(maxEce, base.maxEce), pick(maxLatencyP95Ms, base.maxLatencyP95Ms),
                pick(minImprovement, base.minImprovement), pick(maxLabelF1Regression, base.maxLabelF1Regression),
                pick(significanceLevel, base.significanceLevel));
    }

    /** Highest p95 latency a policy may require below: a minute per text is no bound at all. */
    public static final double MAX_LATENCY_MS = 60_000;

    /**
     * Checks every threshold that is set: finite and within its range (probabilities and F1 drops in [0, 1],
     * an accuracy gain in [-1, 1], a latency in (0, 60000] ms). Throws a 400 {@code invalid-policy} naming the
     * field and its range; nothing is stored.
     */
    public PromotionPolicy validated() {
        within("minAccuracy", minAccuracy, 0, 1);
        within("minMacroF1", minMacroF1, 0, 1);
        within("maxEce", maxEce, 0, 1);
        within("significanceLevel", significanceLevel, 0, 1);
        within("minImprovement", minImprovement, -1, 1);
        within("maxLabelF1Regression", maxLabelF1Regression, 0, 1);
        if (maxLatencyP95Ms != null && !(Double.isFinite(maxLatencyP95Ms) && maxLatencyP95Ms > 0
                && maxLatencyP95Ms <= MAX_LATENCY_MS)) {
            throw invalid("maxLatencyP95Ms", "(0, 60000]", maxLatencyP95Ms);
        }
        return this;
    }

    private static void within(String field, Double value, double min, double max) {
        if (value != null && !(Double.isFinite(value) && value >= min && value <= max)) {
            throw invalid(field, "[" + (int) min + ", " + (int) max + "]", value);
        }
    }

    private static ProblemException invalid(String field, String range, Double was) {
        return new ProblemException(400, "invalid-policy", "A policy threshold is out of range", field
                + " must be a finite number in " + range + ", was " + was).with("field", field).with("bound", range);
    }

    private static Double pick(Double value, Double fallback) {
        return value != null ? value : fallback;
    }
}

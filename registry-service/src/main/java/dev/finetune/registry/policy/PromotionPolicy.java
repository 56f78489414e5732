package dev.finetune.registry.policy;

import com.fasterxml.jackson.annotation.JsonInclude;

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

    public PromotionPolicy validated() {
        for (Double probability : new Double[] {minAccuracy, minMacroF1, maxEce, significanceLevel}) {
            if (probability != null && (probability < 0 || probability > 1)) {
                throw new IllegalArgumentException("minAccuracy, minMacroF1, maxEce and significanceLevel must be in [0, 1]");
            }
        }
        if (maxLatencyP95Ms != null && maxLatencyP95Ms <= 0) {
            throw new IllegalArgumentException("maxLatencyP95Ms must be positive");
        }
        if (maxLabelF1Regression != null && maxLabelF1Regression < 0) {
            throw new IllegalArgumentException("maxLabelF1Regression must be >= 0");
        }
        return this;
    }

    private static Double pick(Double value, Double fallback) {
        return value != null ? value : fallback;
    }
}

package dev.finetune.registry.policy;

import dev.finetune.events.RuleOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Applies a {@link PromotionPolicy} to a {@link Candidate}: one {@link RuleOutcome} per rule checked. */
public final class PolicyJudge {

    private PolicyJudge() {
    }

    public static List<RuleOutcome> judge(PromotionPolicy policy, Candidate candidate) {
        List<RuleOutcome> rules = new ArrayList<>();
        Map<String, Double> m = candidate.metrics();
        atLeast(rules, "min-accuracy", policy.minAccuracy(), m.get("accuracy"));
        atLeast(rules, "min-macro-f1", policy.minMacroF1(), m.get("macroF1"));
        atMost(rules, "max-ece", policy.maxEce(), m.get("ece"));
        atMost(rules, "max-latency-p95-ms", policy.maxLatencyP95Ms(), m.get("latencyP95Ms"));
        if (candidate.productionVersion() == null) {
            return rules; // a first model: only the absolute thresholds
        }
        var champion = candidate.champion();
        if (champion == null || champion.championVersion() != candidate.productionVersion()) {
            rules.add(new RuleOutcome("champion-current", false, null, null,
                    "evaluated against " + (champion == null ? "no production version" : "v" + champion.championVersion())
                            + " but production is v" + candidate.productionVersion() + ": evaluate again"));
            return rules;
        }
        Double accuracyGain = champion.deltas().get("accuracy");
        atLeast(rules, "min-improvement", policy.minImprovement(), accuracyGain);
        if (policy.maxLabelF1Regression() != null) {
            String worstLabel = null;
            double worstDrop = 0;
            for (var production : candidate.productionPerLabelF1().entrySet()) {
                double now = candidate.perLabelF1().getOrDefault(production.getKey(), 0.0);
                double drop = production.getValue() - now;
                if (worstLabel == null || drop > worstDrop) {
                    worstLabel = production.getKey();
                    worstDrop = drop;
                }
            }
            boolean passed = worstLabel == null || worstDrop <= policy.maxLabelF1Regression();
            rules.add(new RuleOutcome("max-label-f1-regression", passed, policy.maxLabelF1Regression(),
                    worstLabel == null ? null : worstDrop,
                    worstLabel == null ? "no per-label F1 to compare" : "largest drop: label '" + worstLabel + "'"));
        }
        if (policy.significanceLevel() != null) {
            boolean significant = champion.mcnemarPValue() < policy.significanceLevel()
                    && champion.accuracyDeltaLow() > 0;
            rules.add(new RuleOutcome("significant-improvement", significant, policy.significanceLevel(),
                    champion.mcnemarPValue(), String.format(java.util.Locale.ROOT,
                            "McNemar p=%.4g, accuracy difference 95%% CI [%.4f, %.4f]", champion.mcnemarPValue(),
                            champion.accuracyDeltaLow(), champion.accuracyDeltaHigh())));
        }
        return rules;
    }

    public static boolean passed(List<RuleOutcome> rules) {
        return rules.stream().allMatch(RuleOutcome::passed);
    }

    private static void atLeast(List<RuleOutcome> rules, String rule, Double threshold, Double actual) {
        if (threshold != null) {
            rules.add(new RuleOutcome(rule, actual != null && actual >= threshold, threshold, actual,
                    actual == null ? "metric missing from the evaluation" : null));
        }
    }

    private static void atMost(List<RuleOutcome> rules, String rule, Double threshold, Double actual) {
        if (threshold != null) {
            rules.add(new RuleOutcome(rule, actual != null && actual <= threshold, threshold, actual,
                    actual == null ? "metric missing from the evaluation" : null));
        }
    }
}

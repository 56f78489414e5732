package dev.finetune.registry.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.events.EvaluationCompleted.ChampionComparison;
import dev.finetune.events.RuleOutcome;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyJudgeTests {

    private static final PromotionPolicy POLICY = new PromotionPolicy(0.8, 0.7, 0.1, 50.0, 0.01, 0.05, 0.05);
    private static final Map<String, Double> GOOD = Map.of("accuracy", 0.9, "macroF1", 0.85, "ece", 0.05,
            "latencyP95Ms", 20.0);
    private static final Map<String, Double> LABELS = Map.of("positive", 0.9, "negative", 0.8);

    @Test
    void aFirstModelIsJudgedOnTheAbsoluteThresholdsOnly() {
        List<RuleOutcome> rules = PolicyJudge.judge(POLICY, new Candidate(GOOD, LABELS, null, null, Map.of()));
        assertThat(rules).extracting(RuleOutcome::rule)
                .containsExactly("min-accuracy", "min-macro-f1", "max-ece", "max-latency-p95-ms");
        assertThat(PolicyJudge.passed(rules)).isTrue();
    }

    @Test
    void eachAbsoluteThresholdFailsOnItsOwn() {
        assertFails(Map.of("accuracy", 0.79, "macroF1", 0.85, "ece", 0.05, "latencyP95Ms", 20.0), "min-accuracy");
        assertFails(Map.of("accuracy", 0.9, "macroF1", 0.69, "ece", 0.05, "latencyP95Ms", 20.0), "min-macro-f1");
        assertFails(Map.of("accuracy", 0.9, "macroF1", 0.85, "ece", 0.11, "latencyP95Ms", 20.0), "max-ece");
        assertFails(Map.of("accuracy", 0.9, "macroF1", 0.85, "ece", 0.05, "latencyP95Ms", 51.0), "max-latency-p95-ms");
        assertFails(Map.of("macroF1", 0.85, "ece", 0.05, "latencyP95Ms", 20.0), "min-accuracy"); // missing metric
    }

    @Test
    void aSignificantImprovementWithoutRegressionPasses() {
        var champion = new ChampionComparison(3, Map.of("accuracy", 0.04), 0.01, 0.07, 0.003);
        List<RuleOutcome> rules = PolicyJudge.judge(POLICY, new Candidate(GOOD, LABELS, champion, 3,
                Map.of("positive", 0.88, "negative", 0.82)));
        assertThat(rules).extracting(RuleOutcome::rule).contains("min-improvement", "max-label-f1-regression",
                "significant-improvement");
        assertThat(PolicyJudge.passed(rules)).isTrue();
    }

    @Test
    void anImprovementThatMayBeNoiseFailsTheSignificanceRule() {
        var champion = new ChampionComparison(3, Map.of("accuracy", 0.02), -0.01, 0.05, 0.2);
        List<RuleOutcome> rules = PolicyJudge.judge(POLICY, new Candidate(GOOD, LABELS, champion, 3, LABELS));
        assertThat(failed(rules)).containsExactly("significant-improvement");
        // p below the level but an interval reaching below zero is not significant either
        var wide = new ChampionComparison(3, Map.of("accuracy", 0.02), -0.001, 0.05, 0.01);
        assertThat(failed(PolicyJudge.judge(POLICY, new Candidate(GOOD, LABELS, wide, 3, LABELS))))
                .containsExactly("significant-improvement");
    }

    @Test
    void tooSmallAnImprovementOrARegressingLabelFails() {
        var small = new ChampionComparison(3, Map.of("accuracy", 0.005), 0.001, 0.01, 0.01);
        assertThat(failed(PolicyJudge.judge(POLICY, new Candidate(GOOD, LABELS, small, 3, LABELS))))
                .containsExactly("min-improvement");
        var better = new ChampionComparison(3, Map.of("accuracy", 0.05), 0.02, 0.08, 0.001);
        List<RuleOutcome> rules = PolicyJudge.judge(POLICY, new Candidate(GOOD, LABELS, better, 3,
                Map.of("positive", 0.9, "negative", 0.9)));
        assertThat(failed(rules)).containsExactly("max-label-f1-regression");
        RuleOutcome regression = rules.stream().filter(r -> r.rule().equals("max-label-f1-regression")).findFirst().orElseThrow();
        assertThat(regression.actual()).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(regression.detail()).contains("negative");
    }

    @Test
    void anEvaluationAgainstAnOlderProductionVersionMustBeRedone() {
        var stale = new ChampionComparison(2, Map.of("accuracy", 0.05), 0.02, 0.08, 0.001);
        assertThat(failed(PolicyJudge.judge(POLICY, new Candidate(GOOD, LABELS, stale, 3, LABELS))))
                .containsExactly("champion-current");
        assertThat(failed(PolicyJudge.judge(POLICY, new Candidate(GOOD, LABELS, null, 3, LABELS))))
                .containsExactly("champion-current");
    }

    @Test
    void unsetThresholdsAreNotChecked() {
        PromotionPolicy onlyAccuracy = new PromotionPolicy(0.5, null, null, null, null, null, null);
        var champion = new ChampionComparison(1, Map.of("accuracy", -0.2), -0.3, -0.1, 0.001);
        List<RuleOutcome> rules = PolicyJudge.judge(onlyAccuracy, new Candidate(GOOD, LABELS, champion, 1, LABELS));
        assertThat(rules).extracting(RuleOutcome::rule).containsExactly("min-accuracy");
    }

    private static void assertFails(Map<String, Double> metrics, String rule) {
        assertThat(failed(PolicyJudge.judge(POLICY, new Candidate(metrics, LABELS, null, null, Map.of()))))
                .containsExactly(rule);
    }

    private static List<String> failed(List<RuleOutcome> rules) {
        return rules.stream().filter(r -> !r.passed()).map(RuleOutcome::rule).toList();
    }
}

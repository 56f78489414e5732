package dev.finetune.events;

/**
 * One rule of a promotion policy applied to one candidate, e.g. {@code min-accuracy}: passed or not,
 * with the threshold and the value it was held against.
 */
public record RuleOutcome(String rule, boolean passed, Double threshold, Double actual, String detail) {
    public RuleOutcome {
        Require.present(rule, "rule");
    }
}

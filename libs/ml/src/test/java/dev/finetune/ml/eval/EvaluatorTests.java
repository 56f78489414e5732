package dev.finetune.ml.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.finetune.ml.data.Example;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The metrics of {@link Evaluator#score} against a case worked out by hand. */
class EvaluatorTests {

    private static final List<String> LABELS = List.of("a", "b", "c");

    // truth, probabilities, predicted (argmax), confidence, calibration bin (10 equal-width bins)
    private static final int[] TRUTH = {0, 0, 1, 2, 1, 2};
    private static final float[][] PROBABILITIES = {
        {0.72f, 0.18f, 0.10f}, // a  correct  0.72  bin 7
        {0.25f, 0.55f, 0.20f}, // b  wrong    0.55  bin 5
        {0.05f, 0.85f, 0.10f}, // b  correct  0.85  bin 8
        {0.30f, 0.25f, 0.45f}, // c  correct  0.45  bin 4
        {0.62f, 0.28f, 0.10f}, // a  wrong    0.62  bin 6
        {0.10f, 0.15f, 0.75f}, // c  correct  0.75  bin 7
    };

    @Test
    void scoresAHandComputedCase() {
        EvaluationMetrics m = Evaluator.score(LABELS, TRUTH, PROBABILITIES);

        assertThat(m.count()).isEqualTo(6);
        assertThat(m.labels()).containsExactly("a", "b", "c");
        assertThat(m.accuracy()).isCloseTo(4.0 / 6, offset(1e-12));
        // rows: true label, columns: predicted
        assertThat(m.confusion()).isDeepEqualTo(new int[][] {{1, 1, 0}, {1, 1, 0}, {0, 0, 2}});
        // a: predicted twice (1 right), 2 true -> P 1/2, R 1/2; b the same; c: P 2/2, R 2/2
        assertThat(m.perLabel().get("a")).isEqualTo(new LabelMetrics(0.5, 0.5, 0.5, 2));
        assertThat(m.perLabel().get("b")).isEqualTo(new LabelMetrics(0.5, 0.5, 0.5, 2));
        assertThat(m.perLabel().get("c")).isEqualTo(new LabelMetrics(1.0, 1.0, 1.0, 2));
        assertThat(m.macroF1()).isCloseTo((0.5 + 0.5 + 1.0) / 3, offset(1e-12));
        // -(ln .72 + ln .25 + ln .85 + ln .45 + ln .28 + ln .75) / 6
        assertThat(m.logLoss()).isCloseTo(0.7060788, offset(1e-6));
        // bins 4, 5, 6, 8 hold one example each; bin 7 holds two (confidence 1.47, 2 correct):
        // (|.45-1| + |.55-0| + |.62-0| + |.85-1| + |1.47-2|) / 6 = 2.40 / 6
        assertThat(m.expectedCalibrationError()).isCloseTo(0.40, offset(1e-6));
    }

    @Test
    void aPerfectConfidentClassifierScoresPerfectly() {
        float[][] p = {{1f, 0f, 0f}, {0f, 1f, 0f}, {0f, 0f, 1f}};
        EvaluationMetrics m = Evaluator.score(LABELS, new int[] {0, 1, 2}, p);

        assertThat(m.accuracy()).isEqualTo(1.0);
        assertThat(m.macroF1()).isEqualTo(1.0);
        assertThat(m.logLoss()).isCloseTo(0.0, offset(1e-12));
        assertThat(m.expectedCalibrationError()).isCloseTo(0.0, offset(1e-12));
    }

    @Test
    void aLabelNeverPredictedHasZeroPrecisionAndF1() {
        float[][] p = {{0.9f, 0.1f, 0f}, {0.8f, 0.2f, 0f}};
        EvaluationMetrics m = Evaluator.score(LABELS, new int[] {0, 1}, p);

        assertThat(m.perLabel().get("b")).isEqualTo(new LabelMetrics(0, 0, 0, 1));
        assertThat(m.perLabel().get("c")).isEqualTo(new LabelMetrics(0, 0, 0, 0));
        // a: P 1/2, R 1 -> F1 2/3; macro over all three labels
        assertThat(m.macroF1()).isCloseTo((2.0 / 3) / 3, offset(1e-12));
    }

    @Test
    void anUnknownLabelIsAnErrorNamingIt() {
        assertThatThrownBy(() -> Evaluator.truth(LABELS, List.of(new Example("x", "a"), new Example("y", "zebra"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("example 1")
                .hasMessageContaining("zebra");
    }
}

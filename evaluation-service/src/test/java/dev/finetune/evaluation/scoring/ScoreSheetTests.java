package dev.finetune.evaluation.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Metrics, slices and calibration bins of hand-made predictions. */
class ScoreSheetTests {

    private static final List<String> LABELS = List.of("ham", "spam");

    // Six examples: true labels, predicted probabilities, texts of three lengths.
    private static final int[] TRUTH = {0, 0, 1, 1, 1, 0};
    private static final float[][] PROBABILITIES = {
            {0.9f, 0.1f},   // short, ham, right (confidence 0.9)
            {0.4f, 0.6f},   // short, ham, wrong (0.6)
            {0.2f, 0.8f},   // medium, spam, right (0.8)
            {0.3f, 0.7f},   // medium, spam, right (0.7)
            {0.65f, 0.35f}, // long, spam, wrong (0.65)
            {0.95f, 0.05f}, // long, ham, right (0.95)
    };
    private static final List<String> TEXTS = List.of("hi", "win now", "a medium length text", "another medium one!!",
            "x".repeat(40), "y".repeat(45));
    private static final LengthBuckets BUCKETS = new LengthBuckets(10, 30);

    private final ScoreSheet sheet = ScoreSheet.of(LABELS, TRUTH, PROBABILITIES);

    @Test
    void summaryMetricsAndOutcomes() {
        assertThat(sheet.metrics().accuracy()).isCloseTo(4.0 / 6, within(1e-12));
        assertThat(sheet.correct()).containsExactly(true, false, true, true, false, true);
        assertThat(sheet.predictedLabels()).containsExactly("ham", "spam", "spam", "spam", "ham", "ham");
        // ham: tp 2, predicted 3, actual 3 -> p = r = f1 = 2/3; spam likewise.
        assertThat(sheet.perLabelF1()).containsOnlyKeys("ham", "spam");
        assertThat(sheet.perLabelF1().get("ham")).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(sheet.qualityMetrics()).containsOnlyKeys("accuracy", "macroF1", "logLoss", "ece");
    }

    @Test
    void slicesByTextLength() {
        Map<String, SliceMetrics> byLength = sheet.byLength(TEXTS, BUCKETS);
        assertThat(byLength).containsOnlyKeys("short", "medium", "long");
        assertThat(byLength.get("short").count()).isEqualTo(2);
        assertThat(byLength.get("short").accuracy()).isEqualTo(0.5);
        assertThat(byLength.get("medium").count()).isEqualTo(2);
        assertThat(byLength.get("medium").accuracy()).isEqualTo(1.0);
        // Only spam occurs in the medium slice: macro-F1 averages the labels present, so it is spam's F1, 1.0.
        assertThat(byLength.get("medium").macroF1()).isEqualTo(1.0);
        // log loss of the medium slice: -(ln 0.8 + ln 0.7) / 2
        assertThat(byLength.get("medium").logLoss()).isCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, within(1e-6));
        assertThat(byLength.get("long").accuracy()).isEqualTo(0.5);
    }

    @Test
    void anEmptySliceHasNoMetrics() {
        Map<String, SliceMetrics> byLength = sheet.byLength(TEXTS, new LengthBuckets(1, 1000));
        assertThat(byLength.get("long")).isEqualTo(new SliceMetrics(0, null, null, null, null));
        assertThat(byLength.get("medium").count()).isEqualTo(6);
    }

    @Test
    void slicesByLabel() {
        Map<String, LabelSlice> byLabel = sheet.byLabel();
        LabelSlice spam = byLabel.get("spam");
        assertThat(spam.support()).isEqualTo(3);
        assertThat(spam.recall()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(spam.precision()).isCloseTo(2.0 / 3, within(1e-12));
        // log loss over spam's true examples: -(ln 0.8 + ln 0.7 + ln 0.35) / 3
        assertThat(spam.logLoss()).isCloseTo(-(Math.log(0.8) + Math.log(0.7) + Math.log(0.35)) / 3, within(1e-6));
    }

    @Test
    void calibrationBinsAgreeWithTheExpectedCalibrationError() {
        List<CalibrationBin> bins = sheet.calibration();
        assertThat(bins).hasSize(10);
        assertThat(bins.stream().mapToInt(CalibrationBin::count).sum()).isEqualTo(6);
        CalibrationBin sixties = bins.get(6); // 0.6 and 0.65, both wrong
        assertThat(sixties.count()).isEqualTo(2);
        assertThat(sixties.accuracy()).isZero();
        assertThat(sixties.meanConfidence()).isCloseTo(0.625, within(1e-6));
        assertThat(bins.get(0).meanConfidence()).isNull();
        double ece = bins.stream().filter(b -> b.count() > 0)
                .mapToDouble(b -> b.count() * Math.abs(b.meanConfidence() - b.accuracy()) / 6).sum();
        assertThat(ece).isCloseTo(sheet.metrics().expectedCalibrationError(), within(1e-9));
    }

    @Test
    void lengthBucketsUseCodePoints() {
        LengthBuckets buckets = new LengthBuckets(3, 6);
        assertThat(buckets.bucket("ab")).isEqualTo("short");
        assertThat(buckets.bucket("\uD83D\uDE00\uD83D\uDE00\uD83D\uDE00")).isEqualTo("medium"); // 3 emoji, 6 chars
        assertThat(buckets.bucket("abcdef")).isEqualTo("long");
    }
}

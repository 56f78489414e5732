package dev.finetune.evaluation.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Deltas, discordant pairs and the event summary of a paired comparison. */
class PairedComparisonTests {

    @Test
    void countsDiscordantPairsAndTakesCandidateMinusChampion() {
        boolean[] candidate = {true, true, true, true, false, true, true, false};
        boolean[] champion = {true, false, false, true, true, false, true, false};
        PairedComparison comparison = PairedComparison.of(2, "s3://finetune/m.zip", "abc",
                Map.of("accuracy", 0.75, "macroF1", 0.7, "logLoss", 0.4), candidate,
                Map.of("accuracy", 0.5, "macroF1", 0.5), champion, 200, 42);

        assertThat(comparison.candidateOnlyCorrect()).isEqualTo(3);
        assertThat(comparison.championOnlyCorrect()).isEqualTo(1);
        assertThat(comparison.mcnemarPValue()).isEqualTo(McNemar.exactPValue(3, 1)); // 2 * 5/16
        assertThat(comparison.mcnemarPValue()).isCloseTo(0.625, within(1e-15));
        // Only metrics both sides have are compared.
        assertThat(comparison.deltas()).containsOnlyKeys("accuracy", "macroF1");
        assertThat(comparison.deltas().get("accuracy")).isCloseTo(0.25, within(1e-12));
        assertThat(comparison.accuracyDelta().low()).isLessThanOrEqualTo(0.25);
        assertThat(comparison.accuracyDelta().high()).isGreaterThanOrEqualTo(0.25);

        var summary = comparison.summary();
        assertThat(summary.championVersion()).isEqualTo(2);
        assertThat(summary.mcnemarPValue()).isEqualTo(comparison.mcnemarPValue());
        assertThat(summary.accuracyDeltaLow()).isEqualTo(comparison.accuracyDelta().low());
    }
}

package dev.finetune.evaluation.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The exact McNemar p-value against binomial tails computed by hand. */
class McNemarTests {

    @Test
    void matchesHandComputedBinomialTails() {
        // b = 1, c = 7: n = 8, P(X <= 1) = (C(8,0) + C(8,1)) / 2^8 = 9/256, two-sided 18/256.
        assertThat(McNemar.exactPValue(1, 7)).isCloseTo(18.0 / 256, within(1e-15));
        // b = 12, c = 3: n = 15, P(X <= 3) = (1 + 15 + 105 + 455) / 2^15 = 576/32768, two-sided 1152/32768.
        assertThat(McNemar.exactPValue(12, 3)).isCloseTo(1152.0 / 32768, within(1e-15));
        // b = 10, c = 0: only the candidate is ever right alone; 2 * (1/2)^10.
        assertThat(McNemar.exactPValue(10, 0)).isCloseTo(2.0 / 1024, within(1e-15));
    }

    @Test
    void isSymmetricAndCappedAtOne() {
        assertThat(McNemar.exactPValue(7, 1)).isEqualTo(McNemar.exactPValue(1, 7));
        assertThat(McNemar.exactPValue(5, 5)).isEqualTo(1.0);
        assertThat(McNemar.exactPValue(0, 0)).isEqualTo(1.0);
    }

    @Test
    void staysFiniteForThousandsOfDiscordantPairs() {
        // 2^-4100 underflows a double; the log-space sum does not. Normal approximation: z = 100/sqrt(4100) = 1.56.
        double p = McNemar.exactPValue(2000, 2100);
        assertThat(p).isBetween(0.11, 0.13);
        assertThat(McNemar.exactPValue(3000, 1000)).isPositive().isLessThan(1e-100);
    }

    @Test
    void refusesNegativeCounts() {
        assertThatThrownBy(() -> McNemar.exactPValue(-1, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}

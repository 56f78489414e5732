package dev.finetune.evaluation.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The paired bootstrap interval of the accuracy difference: reproducible, and where theory puts it. */
class BootstrapTests {

    @Test
    void theSameSeedGivesTheSameInterval() {
        boolean[] candidate = pattern(300, 3);
        boolean[] champion = pattern(300, 2);
        Bootstrap.Interval first = Bootstrap.accuracyDifference(candidate, champion, 500, 0.95, 42);
        Bootstrap.Interval again = Bootstrap.accuracyDifference(candidate, champion, 500, 0.95, 42);
        assertThat(again).isEqualTo(first);
        assertThat(first.low()).isLessThanOrEqualTo(first.high());
    }

    @Test
    void coversTheObservedDifferenceWithTheExpectedWidth() {
        // Half the examples only the candidate gets right, half both: difference 0.5 per example on average,
        // per-example standard deviation 0.5, so the 95% interval is about 0.5 +- 1.96 * 0.5 / sqrt(400).
        int n = 400;
        boolean[] candidate = new boolean[n];
        boolean[] champion = new boolean[n];
        for (int i = 0; i < n; i++) {
            candidate[i] = true;
            champion[i] = i % 2 == 0;
        }
        Bootstrap.Interval interval = Bootstrap.accuracyDifference(candidate, champion, 2000, 0.95, 7);
        assertThat(interval.low()).isCloseTo(0.5 - 0.049, within(0.012));
        assertThat(interval.high()).isCloseTo(0.5 + 0.049, within(0.012));
        assertThat(interval.resamples()).isEqualTo(2000);
        assertThat(interval.seed()).isEqualTo(7);
    }

    @Test
    void identicalOutcomesGiveAZeroWidthInterval() {
        boolean[] same = pattern(50, 4);
        Bootstrap.Interval interval = Bootstrap.accuracyDifference(same, same.clone(), 100, 0.95, 1);
        assertThat(interval.low()).isZero();
        assertThat(interval.high()).isZero();
    }

    @Test
    void refusesUnpairedOutcomes() {
        assertThatThrownBy(() -> Bootstrap.accuracyDifference(new boolean[3], new boolean[4], 10, 0.95, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 and 4");
    }

    private static boolean[] pattern(int n, int every) {
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) {
            out[i] = i % every != 0;
        }
        return out;
    }
}

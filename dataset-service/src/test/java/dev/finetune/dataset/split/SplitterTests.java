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

    /**
     * Known normalised texts, their fingerprints and their splits at 80/10/10, computed once and written down.
     * A change of the hash (another algorithm, other bytes of the digest, a salt) or of the bucketing (another
     * bucket count, signed instead of unsigned remainder, other thresholds) moves some of them, and every
     * such move would carry examples between splits across versions: the test split would leak into training.
     */
    private static final Object[][] PINNED = {
            // text, first 8 bytes of its SHA-256 (big-endian), split
            {"", 0xe3b0c44298fc1c14L, Split.TRAIN}, // SHA-256("") = e3b0c44298fc1c14 9afbf4c8...: the published value
            {"great product", 0x51fb0c3c0c60b7bcL, Split.TRAIN},
            {"terrible service", 0x3052b913ed8d9badL, Split.TRAIN},
            {"works as described", 0xc64a198765e0b455L, Split.TRAIN},
            {"the battery died after two days", 0xe3a14ab12eef74e6L, Split.VALIDATION},
            {"customer support was helpful", 0xd8a7a0a93fdc60f8L, Split.VALIDATION},
            {"review number 2", 0x137ac2771b828e4dL, Split.VALIDATION},
            {"review number 387", 0xe3fbee4e075a3453L, Split.VALIDATION}, // bucket 8051: just past train
            {"too expensive for what it is", 0x2cb447c6427c09a2L, Split.TEST},
            {"x", 0x2d711642b726b044L, Split.TEST},
            {"review number 1", 0x82feaeb069514712L, Split.TEST},
            {"review number 143", 0xd844582047437236L, Split.TEST}, // bucket 9030: just past validation
    };

    @Test
    void aKnownTextHasAFixedSplitForever() {
        for (Object[] pin : PINNED) {
            String text = (String) pin[0];
            long fingerprint = splitter.fingerprint(text);
            assertThat(String.format("%016x", fingerprint)).as("fingerprint of '%s'", text)
                    .isEqualTo(String.format("%016x", (Long) pin[1]));
            assertThat(splitter.assign(fingerprint)).as("split of '%s'", text).isEqualTo(pin[2]);
        }
        // The same texts through the normaliser, as the builder calls it.
        assertThat(splitter.assign(splitter.fingerprint(Normalizer.normalise("  GREAT   Product ")))).isEqualTo(Split.TRAIN);
        assertThat(splitter.assign(splitter.fingerprint(Normalizer.normalise("Too expensive for what it is"))))
                .isEqualTo(Split.TEST);
    }

    @Test
    void theBucketsAreTheUnsignedFingerprintModuloTenThousandAgainstTheRatios() {
        // Buckets 3628, 6709 and 7855 (of 10,000) at 50/25/25: below 5000 train, below 7500 validation, else test.
        Splitter halves = new Splitter(0.5, 0.25, 0.25);
        assertThat(halves.assign(halves.fingerprint("great product"))).isEqualTo(Split.TRAIN);
        assertThat(halves.assign(halves.fingerprint("the screen cracked"))).isEqualTo(Split.VALIDATION);
        assertThat(halves.assign(halves.fingerprint("would buy again"))).isEqualTo(Split.TEST);
        // 0xe3a1... is negative as a signed long: its bucket (8870) is the unsigned remainder.
        assertThat(splitter.assign(0xe3a14ab12eef74e6L)).isEqualTo(Split.VALIDATION);
        assertThat(splitter.assign(7999)).isEqualTo(Split.TRAIN);
        assertThat(splitter.assign(8000)).isEqualTo(Split.VALIDATION);
        assertThat(splitter.assign(8999)).isEqualTo(Split.VALIDATION);
        assertThat(splitter.assign(9000)).isEqualTo(Split.TEST);
        assertThat(splitter.assign(10_000 + 42)).isEqualTo(Split.TRAIN);
    }

    @Test
    void ratiosMustSumToOne() {
        assertThatThrownBy(() -> new Splitter(0.8, 0.1, 0.2)).isInstanceOf(IllegalArgumentException.class);
    }
}

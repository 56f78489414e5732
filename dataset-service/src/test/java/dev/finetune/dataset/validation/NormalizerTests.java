package dev.finetune.dataset.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NormalizerTests {

    @Test
    void foldsCaseAndWhiteSpace() {
        assertThat(Normalizer.normalise("  Great \t Product\n")).isEqualTo("great product");
        assertThat(Normalizer.normalise("great product")).isEqualTo("great product");
        assertThat(Normalizer.normalise("GREAT\u00A0\u2003PRODUCT")).isEqualTo("great product");
    }

    @Test
    void appliesNfkc() {
        assertThat(Normalizer.normalise("ｇｒｅａｔ")).isEqualTo("great");           // full-width letters
        assertThat(Normalizer.normalise("\uFB01ne")).isEqualTo("fine");              // the "fi" ligature
        assertThat(Normalizer.normalise("Cafe\u0301")).isEqualTo(Normalizer.normalise("Café")); // combining accent
    }

    @Test
    void leavesEmptyAndSingleWordsAlone() {
        assertThat(Normalizer.normalise("")).isEmpty();
        assertThat(Normalizer.normalise("   ")).isEmpty();
        assertThat(Normalizer.normalise("word")).isEqualTo("word");
    }
}

package dev.finetune.ml.data;

import java.util.Objects;

/** One labelled text of a Dataset split. */
public record Example(String text, String label) {

    public Example {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(label, "label");
    }
}

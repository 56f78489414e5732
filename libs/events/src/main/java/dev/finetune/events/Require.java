package dev.finetune.events;

import java.util.Collection;
import java.util.Map;

/** Required-field checks shared by the event records, so a missing field fails with its name. */
final class Require {

    private Require() {
    }

    static <T> T present(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing required field '" + field + "'");
        }
        if (value instanceof String s && s.isBlank()) {
            throw new IllegalArgumentException("required field '" + field + "' is blank");
        }
        return value;
    }

    static <T extends Collection<?>> T notEmpty(T value, String field) {
        present(value, field);
        if (value.isEmpty()) {
            throw new IllegalArgumentException("required field '" + field + "' is empty");
        }
        return value;
    }

    static <T extends Map<?, ?>> T notEmpty(T value, String field) {
        present(value, field);
        if (value.isEmpty()) {
            throw new IllegalArgumentException("required field '" + field + "' is empty");
        }
        return value;
    }

    static int positive(int value, String field) {
        if (value < 1) {
            throw new IllegalArgumentException("field '" + field + "' must be positive, was " + value);
        }
        return value;
    }
}

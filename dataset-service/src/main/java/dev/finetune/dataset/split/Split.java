package dev.finetune.dataset.split;

import java.util.Locale;

/** The three parts of a data set version; the name is what objects, events and the API use. */
public enum Split {
    TRAIN, VALIDATION, TEST;

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Split of(String code) {
        for (Split split : values()) {
            if (split.code().equals(code)) {
                return split;
            }
        }
        throw new IllegalArgumentException("no split '" + code + "' (train, validation, test)");
    }
}

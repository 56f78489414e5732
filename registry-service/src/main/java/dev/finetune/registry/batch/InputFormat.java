package dev.finetune.registry.batch;

import java.util.Locale;
import java.util.Optional;

/** How a batch prediction's input is read: JSON Lines (a {@code text} field per line) or CSV with a header row. */
public enum InputFormat {
    JSONL("application/x-ndjson", ".jsonl"),
    CSV("text/csv", ".csv");

    private final String contentType;
    private final String suffix;

    InputFormat(String contentType, String suffix) {
        this.contentType = contentType;
        this.suffix = suffix;
    }

    public String contentType() {
        return contentType;
    }

    /** The file name suffix an uploaded input is stored under. */
    public String suffix() {
        return suffix;
    }

    /** {@code jsonl} or {@code csv}, any case. */
    public static Optional<InputFormat> named(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "jsonl", "ndjson" -> Optional.of(JSONL);
            case "csv" -> Optional.of(CSV);
            default -> Optional.empty();
        };
    }

    /** The format an object's key says, ignoring a trailing {@code .gz}: {@code .jsonl}, {@code .ndjson}, {@code .csv}. */
    public static Optional<InputFormat> ofKey(String key) {
        String name = key.toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) {
            name = name.substring(0, name.length() - 3);
        }
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
            return Optional.of(JSONL);
        }
        return name.endsWith(".csv") ? Optional.of(CSV) : Optional.empty();
    }
}

package dev.finetune.dataset.ingest;

import dev.finetune.dataset.validation.FatalProblem;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * How an upload is read: JSON Lines or CSV, from the Content-Type (or {@code ?format=} for a generic type
 * such as {@code application/gzip}); gzip is recognised by its magic bytes whatever the headers say.
 */
public enum UploadFormat {
    JSONL, CSV;

    private static final Set<String> JSONL_TYPES = Set.of("application/x-ndjson", "application/jsonl",
            "application/x-jsonlines", "application/jsonlines", "application/json-lines", "application/ndjson");
    private static final Set<String> CSV_TYPES = Set.of("text/csv", "application/csv");
    private static final Set<String> GENERIC_TYPES = Set.of("application/gzip", "application/x-gzip",
            "application/octet-stream");

    /** The format named by a Content-Type and an optional {@code format} query parameter (which wins). */
    public static UploadFormat resolve(String contentType, String formatParam) {
        if (formatParam != null && !formatParam.isBlank()) {
            return switch (formatParam.strip().toLowerCase(Locale.ROOT)) {
                case "jsonl", "ndjson", "json-lines" -> JSONL;
                case "csv" -> CSV;
                default -> throw FatalProblem.of(415, "unsupported-format", "Unknown upload format", null,
                        "format '" + formatParam + "' is neither jsonl nor csv");
            };
        }
        String type = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (JSONL_TYPES.contains(type)) {
            return JSONL;
        }
        if (CSV_TYPES.contains(type)) {
            return CSV;
        }
        String hint = GENERIC_TYPES.contains(type) ? "; add ?format=jsonl or ?format=csv" : "";
        throw FatalProblem.of(415, "unsupported-format", "Unsupported upload type", null,
                "Content-Type '" + contentType + "' is neither JSON Lines (application/x-ndjson) nor CSV (text/csv)"
                        + hint);
    }

    /**
     * Wraps the raw body: decompresses when it starts with the gzip magic, fails with {@code empty-body} when
     * there is nothing at all.
     */
    public static InputStream decoded(InputStream raw) {
        BufferedInputStream in = new BufferedInputStream(raw, 64 * 1024);
        try {
            in.mark(2);
            int b1 = in.read();
            int b2 = in.read();
            in.reset();
            if (b1 < 0) {
                throw FatalProblem.of(400, "empty-body", "The upload is empty", null, "the request body is empty");
            }
            if (b1 == 0x1f && b2 == 0x8b) {
                try {
                    GZIPInputStream gz = new GZIPInputStream(in, 64 * 1024);
                    BufferedInputStream unzipped = new BufferedInputStream(gz, 64 * 1024);
                    unzipped.mark(1);
                    if (unzipped.read() < 0) {
                        throw FatalProblem.of(400, "empty-body", "The upload is empty", null,
                                "the gzip stream holds no data");
                    }
                    unzipped.reset();
                    return unzipped;
                } catch (ZipException | java.io.EOFException e) {
                    throw FatalProblem.of(400, "malformed-gzip", "The gzip stream is damaged", null,
                            "gzip: " + e.getMessage());
                }
            }
            return in;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the upload failed", e);
        }
    }

    /** Rows of a decoded body in this format. */
    public RowSource rows(InputStream decoded, CsvRowSource.Columns columns, char delimiter, int maxLineBytes) {
        return switch (this) {
            case JSONL -> new JsonlRowSource(decoded, maxLineBytes);
            case CSV -> new CsvRowSource(decoded, columns, delimiter, maxLineBytes);
        };
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}

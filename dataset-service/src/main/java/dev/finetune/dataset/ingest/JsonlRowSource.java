package dev.finetune.dataset.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.finetune.dataset.validation.FatalProblem;
import dev.finetune.dataset.validation.RejectReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * JSON Lines: one object per line, {@code {"text": ..., "label": ..., "sourceId": ...}}, other fields
 * ignored. A line that is not a JSON object fails the upload (the file is not JSONL); a well-formed object
 * with a missing or oddly shaped field is a row for the quarantine.
 */
public final class JsonlRowSource implements RowSource {

    private static final JsonFactory JSON = new JsonFactory();

    private final InputStream in;
    private final LineReader lines;
    private long rows;

    public JsonlRowSource(InputStream in, int maxLineBytes) {
        this.in = in;
        this.lines = new LineReader(in, maxLineBytes);
    }

    @Override
    public RawRow next() {
        while (lines.next()) {
            if (lines.blank()) {
                continue;
            }
            rows++;
            long line = lines.lineNumber();
            int nul = lines.nul();
            if (nul >= 0) {
                throw LineReader.binary(line, nul);
            }
            byte[] b = lines.buffer();
            int invalid = Utf8.firstInvalid(b, lines.start(), lines.length());
            if (invalid >= 0) {
                return RawRow.rejectedUpload(line, new String(b, lines.start(), lines.length(), StandardCharsets.UTF_8),
                        null, RejectReason.INVALID_UTF8, "invalid UTF-8 at byte " + invalid + " of the line");
            }
            return parse(b, lines.start(), lines.length(), line);
        }
        return null;
    }

    /** Parses one line holding one JSON object; package-visible for tests. */
    static RawRow parse(byte[] b, int off, int len, long line) {
        String text = null;
        String label = null;
        String sourceId = null;
        RejectReason problem = null;
        String detail = null;
        try (JsonParser p = JSON.createParser(b, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw malformed(line, "expected a JSON object {\"text\": ..., \"label\": ...}");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "text" -> {
                        if (value == JsonToken.VALUE_STRING) {
                            text = p.getText();
                        } else if (value == JsonToken.VALUE_NULL) {
                            text = null;
                        } else {
                            problem = RejectReason.TEXT_SHAPE;
                            detail = "text is " + describe(value) + ", not a string";
                            p.skipChildren();
                        }
                    }
                    case "label" -> {
                        if (value == JsonToken.VALUE_STRING || value == JsonToken.VALUE_NUMBER_INT) {
                            label = p.getText();
                        } else if (value == JsonToken.VALUE_NULL) {
                            label = null;
                        } else if (problem == null) {
                            problem = RejectReason.LABEL_SHAPE;
                            detail = "label is " + describe(value) + ", not a string or an integer";
                            p.skipChildren();
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "sourceId" -> {
                        if (value.isScalarValue() && value != JsonToken.VALUE_NULL) {
                            sourceId = p.getText();
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw malformed(line, "unexpected " + t);
            }
            if (p.nextToken() != null) {
                throw malformed(line, "more than one JSON value on the line");
            }
        } catch (JsonProcessingException e) {
            throw malformed(line, e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (problem != null) {
            return RawRow.rejectedUpload(line, text, label, problem, detail);
        }
        return RawRow.upload(line, text, label, sourceId);
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_NUMBER_FLOAT, VALUE_NUMBER_INT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }

    private static FatalProblem malformed(long line, String why) {
        return FatalProblem.of(400, "malformed-json", "A line is not a JSON object", line,
                "line " + line + " is not a JSON object: " + why);
    }

    @Override
    public long rowsRead() {
        return rows;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // Closing the request or a decompressor: nothing left to release that matters.
        }
    }
}

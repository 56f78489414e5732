package dev.finetune.dataset.ingest;

import dev.finetune.dataset.validation.FatalProblem;
import dev.finetune.dataset.validation.RejectReason;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CSV (RFC 4180): a header row, then records; quoted fields may hold the delimiter, doubled quotes and line
 * breaks. Which columns hold the text, the label and the optional source id is chosen by name. A header
 * without those columns fails the upload; a record with the wrong number of fields is quarantined.
 */
public final class CsvRowSource implements RowSource {

    /** Column names to read, matched case-insensitively against the header. */
    public record Columns(String text, String label, String sourceId) {
        public static final Columns DEFAULT = new Columns("text", "label", null);
    }

    private final InputStream in;
    private final LineReader lines;
    private final char delimiter;
    private final int maxRecordBytes;
    private int textIndex;
    private int labelIndex;
    private int sourceIdIndex = -1;
    private int headerWidth;
    private long rows;

    public CsvRowSource(InputStream in, Columns columns, char delimiter, int maxLineBytes) {
        this.in = in;
        this.lines = new LineReader(in, maxLineBytes);
        this.delimiter = delimiter;
        this.maxRecordBytes = maxLineBytes;
        readHeader(columns);
    }

    private void readHeader(Columns columns) {
        Record header = nextRecord();
        if (header == null) {
            throw FatalProblem.of(400, "empty-body", "The upload is empty", null, "the CSV upload has no header row");
        }
        if (header.invalidUtf8 != null) {
            throw FatalProblem.of(400, "wrong-header", "The CSV header is not usable", header.line,
                    "the header row is not valid UTF-8 (" + header.invalidUtf8 + ")");
        }
        List<String> names = header.fields.stream().map(f -> f.strip().toLowerCase(Locale.ROOT)).toList();
        headerWidth = names.size();
        textIndex = column(names, columns.text(), header);
        labelIndex = column(names, columns.label(), header);
        if (columns.sourceId() != null && !columns.sourceId().isBlank()) {
            sourceIdIndex = column(names, columns.sourceId(), header);
        }
    }

    private int column(List<String> names, String wanted, Record header) {
        int index = names.indexOf(wanted.strip().toLowerCase(Locale.ROOT));
        if (index < 0) {
            throw new FatalProblem(400, "wrong-header", "The CSV header lacks a column", header.line, "wrong-header",
                    "no column '" + wanted + "' in the header " + header.fields
                            + "; name the columns with ?textColumn=...&labelColumn=...",
                    Map.of("columns", header.fields, "missing", wanted));
        }
        return index;
    }

    @Override
    public RawRow next() {
        Record r;
        while ((r = nextRecord()) != null) {
            if (r.fields.size() == 1 && r.fields.get(0).isEmpty()) {
                continue; // blank line
            }
            rows++;
            if (r.invalidUtf8 != null) {
                String text = textIndex < r.fields.size() ? r.fields.get(textIndex) : String.join(",", r.fields);
                return RawRow.rejectedUpload(r.line, text, labelIndex < r.fields.size() ? r.fields.get(labelIndex) : null,
                        RejectReason.INVALID_UTF8, r.invalidUtf8);
            }
            if (r.fields.size() != headerWidth) {
                return RawRow.rejectedUpload(r.line, String.join(String.valueOf(delimiter), r.fields), null,
                        RejectReason.WRONG_FIELD_COUNT, r.fields.size() + " fields, the header has " + headerWidth);
            }
            String sourceId = sourceIdIndex >= 0 ? emptyToNull(r.fields.get(sourceIdIndex)) : null;
            return RawRow.upload(r.line, r.fields.get(textIndex), emptyToNull(r.fields.get(labelIndex)), sourceId);
        }
        return null;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private record Record(long line, List<String> fields, String invalidUtf8) {
    }

    /** One logical record, possibly over several physical lines; null at the end. */
    private Record nextRecord() {
        if (!lines.next()) {
            return null;
        }
        long first = lines.lineNumber();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        String invalid = null;
        long bytes = 0;
        while (true) {
            int nul = lines.nul();
            if (nul >= 0) {
                throw LineReader.binary(lines.lineNumber(), nul);
            }
            byte[] b = lines.buffer();
            bytes += lines.length();
            if (bytes > maxRecordBytes) {
                throw new FatalProblem(413, "line-too-long", "A record is longer than the limit", first,
                        "line-too-long", "the record starting on line " + first + " is longer than " + maxRecordBytes
                        + " bytes (dataset.validation.max-line-bytes)", Map.of("maxLineBytes", maxRecordBytes));
            }
            int bad = Utf8.firstInvalid(b, lines.start(), lines.length());
            if (bad >= 0 && invalid == null) {
                invalid = "invalid UTF-8 at byte " + bad + " of line " + lines.lineNumber();
            }
            String s = new String(b, lines.start(), lines.length(), StandardCharsets.UTF_8);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (quoted) {
                    if (c == '"') {
                        if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            quoted = false;
                        }
                    } else {
                        field.append(c);
                    }
                } else if (c == '"' && field.isEmpty()) {
                    quoted = true;
                } else if (c == delimiter) {
                    fields.add(field.toString());
                    field.setLength(0);
                } else {
                    field.append(c);
                }
            }
            if (!quoted) {
                fields.add(field.toString());
                return new Record(first, fields, invalid);
            }
            field.append('\n');
            if (!lines.next()) {
                throw FatalProblem.of(400, "malformed-csv", "A quoted CSV field never ends", first,
                        "the quoted field opened on line " + first + " is not closed before the end of the upload");
            }
        }
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

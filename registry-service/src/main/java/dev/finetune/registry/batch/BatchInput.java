package dev.finetune.registry.batch;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedInputStream;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Reads a batch prediction's input one row at a time, so a file of any length is scored in flat memory: JSON Lines
 * with a {@code text} field (and an optional {@code id}, string or number) per line, or CSV (RFC 4180) with a header
 * naming a {@code text} column (and optionally {@code id}). Gzip is recognised by its magic bytes. Blank lines are
 * skipped. A row that cannot be read, has no text, or breaks a bound fails the whole input with {@link BadInput}.
 */
abstract class BatchInput implements AutoCloseable {

    static final String TEXT = "text";
    static final String ID = "id";

    /** The bounds one input is read under. */
    record Limits(int maxTextChars, int maxLineBytes, long maxRows) {
    }

    private final InputStream raw;
    private final Limits limits;
    private long rows;

    private BatchInput(InputStream raw, Limits limits) {
        this.raw = raw;
        this.limits = limits;
    }

    /** Reads {@code in} (closed with this input) as {@code format}. */
    static BatchInput open(InputStream in, InputFormat format, Limits limits) {
        InputStream body = ungzipped(in);
        return format == InputFormat.JSONL ? new Jsonl(body, limits) : new Csv(body, limits);
    }

    /** The next row, or null at the end. */
    final BatchRow next() {
        BatchRow row = read();
        if (row == null) {
            return null;
        }
        if (row.row() > limits.maxRows()) {
            throw new BadInput(row.line(), "more than " + limits.maxRows() + " rows (registry.batch.max-rows)");
        }
        if (row.text().length() > limits.maxTextChars()) {
            throw new BadInput(row.line(), "the text has " + row.text().length() + " characters; at most "
                    + limits.maxTextChars() + " (registry.serving.max-text-chars)");
        }
        return row;
    }

    abstract BatchRow read();

    long nextRowNumber() {
        return ++rows;
    }

    Limits limits() {
        return limits;
    }

    @Override
    public void close() {
        try {
            raw.close();
        } catch (IOException e) {
            // Closing an object's download stream: nothing is left to release that matters.
        }
    }

    private static InputStream ungzipped(InputStream in) {
        try {
            BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
            buffered.mark(2);
            int first = buffered.read();
            int second = buffered.read();
            buffered.reset();
            return first == 0x1f && second == 0x8b ? new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16)
                    : buffered;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the input: " + e.getMessage(), e);
        }
    }

    /** One JSON object per line, each line at most {@code maxLineBytes}. */
    private static final class Jsonl extends BatchInput {

        private static final ObjectMapper JSON = new ObjectMapper();
        private final InputStream in;
        private byte[] line = new byte[4096];
        private long lineNumber;

        Jsonl(InputStream in, Limits limits) {
            super(in, limits);
            this.in = in;
        }

        @Override
        BatchRow read() {
            int length;
            while ((length = readLine()) >= 0) {
                if (isBlank(line, length)) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(decode(line, length));
                } catch (JsonProcessingException e) {
                    throw new BadInput(lineNumber, "not JSON (" + e.getOriginalMessage() + ")");
                }
                if (!node.isObject()) {
                    throw new BadInput(lineNumber, "not a JSON object with a \"text\" field");
                }
                JsonNode text = node.get(TEXT);
                if (text == null || !text.isTextual()) {
                    throw new BadInput(lineNumber, "no \"text\" string");
                }
                JsonNode id = node.get(ID);
                if (id != null && !id.isNull() && !id.isTextual() && !id.isIntegralNumber()) {
                    throw new BadInput(lineNumber, "\"id\" must be a string or a whole number");
                }
                return new BatchRow(nextRowNumber(), lineNumber, id == null || id.isNull() ? null : id.asText(),
                        text.asText());
            }
            return null;
        }

        /** The next line's length (its bytes in {@code line}, without the line break), or -1 at the end. */
        private int readLine() {
            try {
                int length = 0;
                int b = in.read();
                if (b < 0) {
                    return -1;
                }
                lineNumber++;
                while (b >= 0 && b != '\n') {
                    if (length == limits().maxLineBytes()) {
                        throw new BadInput(lineNumber, "longer than " + limits().maxLineBytes()
                                + " bytes (registry.batch.max-line-bytes)");
                    }
                    if (length == line.length) {
                        line = Arrays.copyOf(line, Math.min(limits().maxLineBytes(), line.length * 2));
                    }
                    line[length++] = (byte) b;
                    b = in.read();
                }
                return length > 0 && line[length - 1] == '\r' ? length - 1 : length;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the input at line " + lineNumber + ": " + e.getMessage(), e);
            }
        }

        private String decode(byte[] bytes, int length) {
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, 0, length)).toString();
            } catch (CharacterCodingException e) {
                throw new BadInput(lineNumber, "not valid UTF-8");
            }
        }

        private static boolean isBlank(byte[] bytes, int length) {
            for (int i = 0; i < length; i++) {
                if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
                    return false;
                }
            }
            return true;
        }
    }

    /** CSV with a header row; a field (quoted ones may span lines) at most {@code maxLineBytes} characters. */
    private static final class Csv extends BatchInput {

        private final MappingIterator<List<String>> records;
        private final int textColumn;
        private final int idColumn;
        private final int width;

        Csv(InputStream in, Limits limits) {
            super(in, limits);
            CsvFactory factory = CsvFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(limits.maxLineBytes()).build()).build();
            CsvMapper mapper = new CsvMapper(factory);
            mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
            try {
                records = mapper.readerForListOf(String.class).with(CsvSchema.emptySchema())
                        .without(JsonParser.Feature.AUTO_CLOSE_SOURCE).readValues(in);
            } catch (IOException e) {
                throw new BadInput(1, "not CSV (" + e.getMessage() + ")", e);
            }
            List<String> header = nextRecord();
            if (header == null) {
                throw new BadInput(1, "no header row: the input is empty");
            }
            List<String> names = header.stream().map(name -> name.strip().toLowerCase(Locale.ROOT)).toList();
            textColumn = names.indexOf(TEXT);
            idColumn = names.indexOf(ID);
            width = names.size();
            if (textColumn < 0) {
                throw new BadInput(1, "no column \"" + TEXT + "\" in the header " + header);
            }
        }

        @Override
        BatchRow read() {
            while (true) {
                long line = lineOf(records.getCurrentLocation()); // where the record starts: the parser is past it after
                List<String> record = nextRecord();
                if (record == null) {
                    return null;
                }
                if (record.size() == 1 && record.get(0).isEmpty()) {
                    continue; // a blank line
                }
                if (record.size() != width) {
                    throw new BadInput(line, record.size() + " fields; the header has " + width);
                }
                String id = idColumn >= 0 && !record.get(idColumn).isEmpty() ? record.get(idColumn) : null;
                return new BatchRow(nextRowNumber(), line, id, record.get(textColumn));
            }
        }

        private List<String> nextRecord() {
            try {
                return records.hasNextValue() ? records.nextValue() : null;
            } catch (JsonProcessingException e) {
                throw new BadInput(lineOf(e.getLocation()), "not CSV (" + e.getOriginalMessage() + ")", e);
            } catch (CharConversionException e) {
                throw new BadInput(lineOf(records.getCurrentLocation()), "not valid UTF-8 (" + e.getMessage() + ")", e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the input: " + e.getMessage(), e); // the download broke
            } catch (RuntimeException e) {
                if (e.getCause() instanceof JsonProcessingException j) {
                    throw new BadInput(lineOf(j.getLocation()), "not CSV (" + j.getOriginalMessage() + ")", e);
                }
                throw e;
            }
        }

        private static long lineOf(JsonLocation location) {
            return location == null ? 0 : location.getLineNr();
        }
    }
}

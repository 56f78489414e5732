package dev.finetune.dataset.ingest;

import dev.finetune.dataset.validation.FatalProblem;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.zip.ZipException;

/**
 * Splits a byte stream into lines without decoding it, so invalid UTF-8 is found per line, and never holds
 * more than one line: a line over the limit fails the input as soon as the limit is passed.
 */
final class LineReader {

    private static final int INITIAL = 64 * 1024;

    private final InputStream in;
    private final int maxLineBytes;
    private byte[] buf = new byte[INITIAL];
    private int pos;
    private int limit;
    private boolean eof;
    private long lineNumber;
    private int lineStart;
    private int lineLength;

    LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** Advances to the next line; false at the end of the input. */
    boolean next() {
        int scanFrom = pos;
        while (true) {
            for (int i = scanFrom; i < limit; i++) {
                if (buf[i] == '\n') {
                    setLine(pos, i - pos);
                    pos = i + 1;
                    return true;
                }
            }
            if (limit - pos > maxLineBytes + 1) { // +1: a line may end in \r
                throw tooLong(lineNumber + 1);
            }
            if (eof) {
                if (pos < limit) {
                    setLine(pos, limit - pos);
                    pos = limit;
                    return true;
                }
                return false;
            }
            int scanned = limit - pos;
            fill();
            scanFrom = pos + scanned;
        }
    }

    private void setLine(int start, int length) {
        lineNumber++;
        if (length > 0 && buf[start + length - 1] == '\r') {
            length--;
        }
        if (lineNumber == 1 && length >= 3 && (buf[start] & 0xFF) == 0xEF && (buf[start + 1] & 0xFF) == 0xBB
                && (buf[start + 2] & 0xFF) == 0xBF) {
            start += 3; // UTF-8 byte order mark
            length -= 3;
        }
        if (length > maxLineBytes) {
            throw tooLong(lineNumber);
        }
        lineStart = start;
        lineLength = length;
    }

    private void fill() {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length) {
            byte[] bigger = new byte[(int) Math.min((long) buf.length * 2, (long) maxLineBytes + 2 + INITIAL)];
            System.arraycopy(buf, 0, bigger, 0, limit);
            buf = bigger;
        }
        try {
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                eof = true;
            } else {
                limit += n;
            }
        } catch (ZipException | EOFException e) {
            throw FatalProblem.of(400, "malformed-gzip", "The gzip stream is damaged", lineNumber + 1,
                    "gzip: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the upload failed at line " + (lineNumber + 1), e);
        }
    }

    private FatalProblem tooLong(long line) {
        return new FatalProblem(413, "line-too-long", "A line is longer than the limit", line,
                "line-too-long", "line " + line + " is longer than " + maxLineBytes
                + " bytes (dataset.validation.max-line-bytes)", Map.of("maxLineBytes", maxLineBytes));
    }

    byte[] buffer() {
        return buf;
    }

    int start() {
        return lineStart;
    }

    int length() {
        return lineLength;
    }

    long lineNumber() {
        return lineNumber;
    }

    /** Whether the current line holds only white space. */
    boolean blank() {
        for (int i = lineStart; i < lineStart + lineLength; i++) {
            byte b = buf[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /** Index of a NUL byte in the current line, or -1: text never contains one, binary files nearly always do. */
    int nul() {
        for (int i = lineStart; i < lineStart + lineLength; i++) {
            if (buf[i] == 0) {
                return i - lineStart;
            }
        }
        return -1;
    }

    static FatalProblem binary(long line, int offset) {
        return FatalProblem.of(400, "binary-content", "The upload is not text", line,
                "line " + line + " holds a NUL byte at byte " + offset + ": this is a binary file, not JSONL or CSV");
    }
}

package dev.finetune.dataset.ingest;

import dev.finetune.dataset.validation.FatalProblem;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Caps on what one upload may hold once decompressed: bytes and rows. The HTTP body limit bounds only the
 * compressed bytes, and a few megabytes of gzip can inflate to terabytes of rows that a build would spool to
 * local disk; counting after decompression refuses such a body ({@code 413 upload-too-large}) as soon as it
 * passes a cap, before anything is stored.
 */
public record UploadLimits(long maxBytes, long maxRows) {

    /** The decoded body, refused once more than {@code maxBytes} were read from it. */
    public InputStream bytes(InputStream decoded) {
        return new FilterInputStream(decoded) {
            private long read;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    count(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    count(n);
                }
                return n;
            }

            private void count(int n) {
                read += n;
                if (read > maxBytes) {
                    throw tooLarge("the upload holds more than " + maxBytes + " bytes once decompressed"
                            + " (dataset.upload.max-bytes)", "maxBytes", maxBytes);
                }
            }
        };
    }

    /** The rows, refused once more than {@code maxRows} were read (rejected rows count too). */
    public RowSource rows(RowSource rows) {
        return new RowSource() {
            @Override
            public RawRow next() {
                RawRow row = rows.next();
                if (row != null && rows.rowsRead() > maxRows) {
                    throw tooLarge("the upload holds more than " + maxRows + " rows (dataset.upload.max-rows)",
                            "maxRows", maxRows);
                }
                return row;
            }

            @Override
            public long rowsRead() {
                return rows.rowsRead();
            }

            @Override
            public void close() {
                rows.close();
            }
        };
    }

    private static FatalProblem tooLarge(String detail, String limit, long value) {
        return new FatalProblem(413, "upload-too-large", "The upload is too large", null, "upload-too-large", detail,
                Map.of(limit, value));
    }
}

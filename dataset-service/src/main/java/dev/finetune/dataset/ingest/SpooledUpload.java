package dev.finetune.dataset.ingest;

import dev.finetune.dataset.validation.FatalProblem;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.ZipException;

/**
 * An upload's body, decompressed onto local disk before anything else is taken for it. The client sets the pace
 * of a request body; spooling first means a slow or stalled client holds only a worker thread and a temporary
 * file, never the data set's lock or a database connection, and the build that follows reads at disk speed. The
 * byte cap is enforced while spooling, so a gzip bomb stops at {@code dataset.upload.max-bytes} with 413; the
 * row cap needs the rows parsed and is enforced by the build, over the bounded file.
 */
public final class SpooledUpload implements AutoCloseable {

    private final Path file;
    private final long bodyBytes;
    private final boolean gzip;
    private final String bodySha256;

    private SpooledUpload(Path file, long bodyBytes, boolean gzip, String bodySha256) {
        this.file = file;
        this.bodyBytes = bodyBytes;
        this.gzip = gzip;
        this.bodySha256 = bodySha256;
    }

    /** Reads the whole body into a temporary file under {@code dir}; nothing is left behind when it fails. */
    public static SpooledUpload of(InputStream body, UploadLimits limits, Path dir) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
        CountingStream counted = new CountingStream(new DigestInputStream(body, sha256));
        Path file = null;
        try {
            Files.createDirectories(dir);
            file = Files.createTempFile(dir, "upload-", ".spool");
            try (InputStream decoded = limits.bytes(UploadFormat.decoded(counted));
                 OutputStream out = Files.newOutputStream(file)) {
                decoded.transferTo(out);
            } catch (ZipException | java.io.EOFException e) {
                throw FatalProblem.of(400, "malformed-gzip", "The gzip stream is damaged", null,
                        "gzip: " + e.getMessage());
            }
            return new SpooledUpload(file, counted.count(), counted.peekedGzip(),
                    HexFormat.of().formatHex(sha256.digest()));
        } catch (IOException e) {
            deleteQuietly(file, e);
            throw new UncheckedIOException("spooling the upload to " + dir + " failed", e);
        } catch (RuntimeException e) {
            deleteQuietly(file, e);
            throw e;
        }
    }

    /** The decompressed body, from the start. */
    public InputStream open() {
        try {
            return Files.newInputStream(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the spooled upload " + file, e);
        }
    }

    /** Bytes of the body as received (compressed, when it was). */
    public long bodyBytes() {
        return bodyBytes;
    }

    /** Whether the body started with the gzip magic. */
    public boolean gzip() {
        return gzip;
    }

    /** SHA-256 of the body as received, hex. */
    public String bodySha256() {
        return bodySha256;
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the spooled upload " + file, e);
        }
    }

    private static void deleteQuietly(Path file, Exception failure) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    /** Counts the bytes of the body as received and remembers whether it started with the gzip magic. */
    private static final class CountingStream extends FilterInputStream {
        private long count;
        private int first = -1;
        private int second = -1;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                note(b, count++);
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = super.read(buf, off, len);
            for (int i = 0; i < n && count + i < 2; i++) {
                note(buf[off + i] & 0xFF, count + i);
            }
            if (n > 0) {
                count += n;
            }
            return n;
        }

        private void note(int b, long position) {
            if (position == 0) {
                first = b;
            } else if (position == 1) {
                second = b;
            }
        }

        long count() {
            return count;
        }

        boolean peekedGzip() {
            return first == 0x1f && second == 0x8b;
        }
    }
}

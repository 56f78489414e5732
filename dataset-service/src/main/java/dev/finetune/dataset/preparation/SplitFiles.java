package dev.finetune.dataset.preparation;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.finetune.dataset.split.Split;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The stored form of a split (and of the quarantine): gzipped JSON Lines, {@code {"text": ..., "label": ...}}
 * per example. Written once here and read back here, so the format lives in one class.
 */
public final class SplitFiles {

    static final JsonFactory JSON = new JsonFactory();

    private SplitFiles() {
    }

    /** Reads a stored split, calling {@code sink} per example. */
    public static void read(InputStream gzipped, Split split, PreviousVersion.ExampleSink sink) {
        try (JsonParser p = JSON.createParser(new GZIPInputStream(gzipped, 64 * 1024))) {
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String text = null;
                String label = null;
                String sourceId = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "text" -> text = p.getText();
                        case "label" -> label = p.getText();
                        case "sourceId" -> sourceId = p.getText();
                        default -> p.skipChildren();
                    }
                }
                sink.accept(split, text, label, sourceId);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading split " + split.code() + " failed", e);
        }
    }

    /** A gzipped JSON Lines file being written, with the SHA-256 and size of its compressed bytes. */
    static final class Writer implements AutoCloseable {
        final Path path;
        private final MessageDigest sha256 = ContentHash.sha256();
        private final GZIPOutputStream gzip;
        final JsonGenerator json;
        long rows;
        private String sha256Hex;

        Writer(Path path) {
            this.path = path;
            try {
                OutputStream file = new BufferedOutputStream(Files.newOutputStream(path), 64 * 1024);
                gzip = new GZIPOutputStream(new DigestOutputStream(file, sha256), 64 * 1024);
                json = JSON.createGenerator(gzip, JsonEncoding.UTF8);
                json.setRootValueSeparator(null);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + path, e);
            }
        }

        void example(String text, String label, String sourceId) throws IOException {
            json.writeStartObject();
            json.writeStringField("text", text);
            json.writeStringField("label", label);
            if (sourceId != null) {
                json.writeStringField("sourceId", sourceId);
            }
            json.writeEndObject();
            json.writeRaw('\n');
            rows++;
        }

        /** Finishes the gzip stream; the checksum is known from here on. */
        @Override
        public void close() {
            if (sha256Hex != null) {
                return;
            }
            try {
                json.close(); // closes the gzip stream and the file
            } catch (IOException e) {
                throw new UncheckedIOException("cannot finish " + path, e);
            }
            sha256Hex = HexFormat.of().formatHex(sha256.digest());
        }

        String sha256() {
            return sha256Hex;
        }

        long bytes() {
            try {
                return Files.size(path);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

package dev.finetune.training.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.ml.data.Example;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads a split that dataset-service stored (gzipped JSONL, one {@code {"text", "label"}} per line) and verifies
 * that its bytes are the ones {@code datasets.prepared} announced: a run must not train on other data than its
 * lineage will name.
 */
final class SplitReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SplitReader() {
    }

    /**
     * The split's examples, once every byte has been read and its sha256 matched the announced one. A mismatch,
     * like bad content, is an {@link IllegalArgumentException} (retrying cannot help); {@code name} ({@code train},
     * {@code validation}) names the split in the reason.
     */
    static List<Example> read(ArtifactStore store, String name, DatasetPrepared.SplitRef split) {
        String uri = split.uri();
        MessageDigest sha256 = sha256();
        List<Example> examples = new ArrayList<>();
        try (InputStream raw = new DigestInputStream(store.open(ObjectUri.parse(uri)), sha256);
                BufferedReader lines = new BufferedReader(new InputStreamReader(
                        uri.endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw, StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = lines.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row = JSON.readTree(line);
                if (!row.hasNonNull("text") || !row.hasNonNull("label")) {
                    throw new IllegalArgumentException(uri + " line " + number + " has no text or label");
                }
                examples.add(new Example(row.get("text").asText(), row.get("label").asText()));
            }
            raw.transferTo(OutputStream.nullOutputStream()); // digest every byte, trailing ones included
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) { // bad content: retrying cannot help
            throw new IllegalArgumentException(uri + " is not JSON lines: " + e.getOriginalMessage(), e);
        } catch (java.util.zip.ZipException e) { // not what dataset-service stored: retrying cannot help either
            throw new IllegalArgumentException(name + " split " + uri + " is not gzip: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read split " + uri + ": " + e.getMessage(), e);
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (!actual.equals(split.sha256())) {
            throw new IllegalArgumentException(name + " split " + uri + ": sha256 mismatch (expected " + split.sha256()
                    + ", got " + actual + ")");
        }
        return examples;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

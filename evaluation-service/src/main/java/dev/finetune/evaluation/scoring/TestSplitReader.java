package dev.finetune.evaluation.scoring;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.ml.data.Example;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.storage.StorageException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Finds and reads the test split of a data set version. {@code CheckpointSaved} names the version's manifest;
 * dataset-service's {@code manifest.json} lists each split's URI and sha256 under {@code splits.test}. Where a
 * manifest is missing or names no test split, the split is {@code test.jsonl.gz} next to it (dataset-service's
 * layout) and its checksum is what was read.
 */
@ApplicationScoped
public class TestSplitReader {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String FALLBACK_NAME = "test.jsonl.gz";

    private final ArtifactStore store;

    public TestSplitReader(ArtifactStore store) {
        this.store = store;
    }

    /** The split's URI and expected sha256 as the manifest states them. */
    public record Location(String uri, String sha256) {
    }

    public TestSplit read(String manifestUri) {
        Location location = locate(manifestUri);
        return readSplit(location);
    }

    Location locate(String manifestUri) {
        ObjectUri manifest = parse(manifestUri, "data set manifest");
        if (store.exists(manifest)) {
            String json = new String(store.read(manifest), StandardCharsets.UTF_8);
            Optional<Location> stated = testSplitOf(manifestUri, json);
            if (stated.isPresent()) {
                return stated.get();
            }
        }
        String key = manifest.key();
        String directory = key.contains("/") ? key.substring(0, key.lastIndexOf('/') + 1) : "";
        return new Location(new ObjectUri(manifest.bucket(), directory + FALLBACK_NAME).toString(), null);
    }

    /** {@code splits.test} of a dataset-service manifest, when it names one. */
    static Optional<Location> testSplitOf(String manifestUri, String manifestJson) {
        JsonNode root;
        try {
            root = JSON.readTree(manifestJson);
        } catch (IOException e) {
            throw new EvaluationFailure("data set manifest " + manifestUri + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode test = root.path("splits").path("test");
        if (!test.hasNonNull("uri")) {
            return Optional.empty();
        }
        String sha256 = test.hasNonNull("sha256") ? test.get("sha256").asText() : null;
        return Optional.of(new Location(test.get("uri").asText(), sha256));
    }

    private TestSplit readSplit(Location location) {
        ObjectUri uri = parse(location.uri(), "test split");
        if (!store.exists(uri)) {
            throw new EvaluationFailure("test split " + location.uri() + " does not exist");
        }
        MessageDigest sha256 = sha256();
        List<Example> examples = new ArrayList<>();
        try (InputStream raw = new DigestInputStream(store.open(uri), sha256);
                BufferedReader lines = new BufferedReader(new InputStreamReader(
                        location.uri().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw,
                        StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = lines.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row = JSON.readTree(line);
                if (!row.hasNonNull("text") || !row.hasNonNull("label")) {
                    throw new EvaluationFailure("test split " + location.uri() + " line " + number
                            + " has no text or label");
                }
                examples.add(new Example(row.get("text").asText(), row.get("label").asText()));
            }
            raw.transferTo(java.io.OutputStream.nullOutputStream()); // digest every byte, trailing ones included
        } catch (JacksonException | ZipException e) {
            throw new EvaluationFailure("cannot read test split " + location.uri() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            // The stream from the store broke off: the store's fault, retried, not the split's.
            throw new StorageException("read " + location.uri() + " failed: " + e.getMessage(), e);
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (location.sha256() != null && !location.sha256().equals(actual)) {
            throw new EvaluationFailure("test split " + location.uri() + ": sha256 mismatch (manifest says "
                    + location.sha256() + ", read " + actual + ")");
        }
        if (examples.isEmpty()) {
            throw new EvaluationFailure("test split " + location.uri() + " has no examples");
        }
        return new TestSplit(location.uri(), actual, examples);
    }

    private static ObjectUri parse(String uri, String what) {
        try {
            return ObjectUri.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new EvaluationFailure(what + " URI '" + uri + "' is not an s3:// URI: " + e.getMessage(), e);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

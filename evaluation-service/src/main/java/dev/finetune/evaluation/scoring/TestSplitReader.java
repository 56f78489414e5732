package dev.finetune.evaluation.scoring;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.Lineage;
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
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the test split a candidate's lineage names ({@code lineage.splits.test}: the URI and sha256 that
 * {@code datasets.prepared} announced and training carried on) and verifies its bytes against that sha256. The
 * lineage is the only source: dataset-service's manifest and key layout are its own business, so a lineage that
 * names no test split (an event from before lineages carried their splits) is a failure that says so, not a guess.
 */
@ApplicationScoped
public class TestSplitReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ArtifactStore store;

    public TestSplitReader(ArtifactStore store) {
        this.store = store;
    }

    public TestSplit read(Lineage lineage) {
        return readSplit(testSplitOf(lineage));
    }

    /** {@code splits.test} of the lineage, or the failure naming the checkpoint whose lineage lacks it. */
    static DatasetPrepared.SplitRef testSplitOf(Lineage lineage) {
        DatasetPrepared.SplitRef test = lineage.splits().get("test");
        if (test == null) {
            throw new EvaluationFailure("lineage of checkpoint " + lineage.checkpointUri() + " names no test split"
                    + (lineage.splits().isEmpty() ? " (announced before lineages carried the splits); train the data "
                            + "set version again to evaluate it" : " (splits " + lineage.splits().keySet() + ")"));
        }
        return test;
    }

    private TestSplit readSplit(DatasetPrepared.SplitRef split) {
        ObjectUri uri = parse(split.uri(), "test split");
        if (!store.exists(uri)) {
            throw new EvaluationFailure("test split " + split.uri() + " does not exist");
        }
        MessageDigest sha256 = sha256();
        List<Example> examples = new ArrayList<>();
        try (InputStream raw = new DigestInputStream(store.open(uri), sha256);
                BufferedReader lines = new BufferedReader(new InputStreamReader(
                        split.uri().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw,
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
                    throw new EvaluationFailure("test split " + split.uri() + " line " + number
                            + " has no text or label");
                }
                examples.add(new Example(row.get("text").asText(), row.get("label").asText()));
            }
            raw.transferTo(java.io.OutputStream.nullOutputStream()); // digest every byte, trailing ones included
        } catch (JacksonException | ZipException e) {
            throw new EvaluationFailure("cannot read test split " + split.uri() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            // The stream from the store broke off: the store's fault, retried, not the split's.
            throw new StorageException("read " + split.uri() + " failed: " + e.getMessage(), e);
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (!split.sha256().equals(actual)) {
            throw new EvaluationFailure("test split " + split.uri() + ": sha256 mismatch (lineage says "
                    + split.sha256() + ", read " + actual + ")");
        }
        if (examples.isEmpty()) {
            throw new EvaluationFailure("test split " + split.uri() + " has no examples");
        }
        return new TestSplit(split.uri(), actual, examples);
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

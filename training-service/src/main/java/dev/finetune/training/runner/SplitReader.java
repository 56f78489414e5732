package dev.finetune.training.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.ml.data.Example;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads a split that dataset-service stored: gzipped JSONL, one {@code {"text", "label"}} per line. */
final class SplitReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SplitReader() {
    }

    static List<Example> read(ArtifactStore store, String uri) {
        List<Example> examples = new ArrayList<>();
        try (InputStream raw = store.open(ObjectUri.parse(uri));
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
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) { // bad content: retrying cannot help
            throw new IllegalArgumentException(uri + " is not JSON lines: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read split " + uri + ": " + e.getMessage(), e);
        }
        return examples;
    }
}

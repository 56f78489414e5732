package dev.finetune.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.finetune.ml.data.Example;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads JSONL rows {@code {"text": ..., "label": ...}} into examples; a bad row is an error naming its line. */
final class Jsonl {

    private Jsonl() {}

    static List<Example> read(Path file) {
        List<Example> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonObject row = JsonParser.parseString(line).getAsJsonObject();
                    out.add(new Example(row.get("text").getAsString(), row.get("label").getAsString()));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(file + ":" + lineNumber + ": not a {\"text\", \"label\"} row: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file + " has no rows");
        }
        return out;
    }
}

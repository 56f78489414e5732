package dev.finetune.registry.batch;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.finetune.ml.classifier.Prediction;
import dev.finetune.registry.serving.ServedModel;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.CountingInputStream;
import dev.finetune.storage.ObjectUri;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * One attempt at one batch prediction: reads the input row by row, scores it in chunks with the version the job
 * names, writes one JSON line per row (in input order) to a local file, and stores that file as the job's output
 * once every row is scored. Memory stays flat whatever the input's length (a chunk of rows at a time); the output
 * appears in the store whole or not at all.
 */
final class BatchPredictionRun {

    /** Rows scored per call: one predict request's worth, so a job and the requests on its version take turns. */
    static final int CHUNK = 64;
    private static final JsonFactory JSON = new JsonFactory();

    /** How an attempt reports: called between chunks with the rows scored and input bytes read; false stops it. */
    interface Progress {
        boolean report(long rowsScored, long bytesRead);
    }

    /** What an attempt produced. */
    record Outcome(ObjectUri output, long rows, long bytesRead) {
    }

    /** The owner lost the job (another instance claimed it) or the instance is stopping: nothing more is done. */
    static final class Stopped extends RuntimeException {
        Stopped(String why) {
            super(why);
        }
    }

    private final ArtifactStore store;
    private final BatchInput.Limits limits;

    BatchPredictionRun(ArtifactStore store, BatchInput.Limits limits) {
        this.store = store;
        this.limits = limits;
    }

    /**
     * Scores every row of the job's input with {@code model} and stores the predictions.
     *
     * @throws BadInput when a row cannot be read or breaks a bound (nothing is stored)
     * @throws Stopped  when {@code progress} says stop (nothing is stored)
     */
    Outcome run(BatchPrediction job, ServedModel model, Progress progress, BooleanSupplier reportDue) {
        Path file = null;
        try {
            file = Files.createTempFile("batch-prediction-" + job.id + "-", ".jsonl");
            long rows;
            long bytesRead;
            try (CountingInputStream counted = new CountingInputStream(store.open(ObjectUri.parse(job.inputUri)));
                 BatchInput input = BatchInput.open(counted, job.format, limits);
                 OutputStream out = Files.newOutputStream(file);
                 JsonGenerator lines = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                lines.setRootValueSeparator(new SerializedString("\n"));
                rows = 0;
                List<BatchRow> chunk = new ArrayList<>(CHUNK);
                BatchRow row;
                do {
                    row = input.next();
                    if (row != null) {
                        chunk.add(row);
                    }
                    if (chunk.size() == CHUNK || (row == null && !chunk.isEmpty())) {
                        write(lines, chunk, model.predict(chunk.stream().map(BatchRow::text).toList()));
                        rows += chunk.size();
                        chunk.clear();
                        if (reportDue.getAsBoolean() && !progress.report(rows, counted.count())) {
                            throw new Stopped("no longer this instance's");
                        }
                    }
                } while (row != null);
                if (rows == 0) {
                    throw new BadInput(1, "no rows to score");
                }
                lines.writeRaw('\n');
                bytesRead = counted.count();
            }
            ObjectUri output = store.uri(outputKey(job.id));
            try (InputStream in = Files.newInputStream(file)) {
                store.put(output.key(), in, InputFormat.JSONL.contentType());
            }
            return new Outcome(output, rows, bytesRead);
        } catch (IOException e) {
            throw new UncheckedIOException("batch prediction " + job.id + ": " + e.getMessage(), e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // A temporary file the JVM's temp directory cleanup removes in the end.
                }
            }
        }
    }

    static String outputKey(String id) {
        return "batch-predictions/" + id + "/predictions.jsonl";
    }

    /** One line per row: {@code {"row":1,"id":"r-1","label":"pos","scores":{"neg":0.02,"pos":0.98}}}. */
    private static void write(JsonGenerator lines, List<BatchRow> rows, List<Prediction> predictions) throws IOException {
        for (int i = 0; i < rows.size(); i++) {
            BatchRow row = rows.get(i);
            Prediction prediction = predictions.get(i);
            lines.writeStartObject();
            lines.writeNumberField("row", row.row());
            if (row.id() != null) {
                lines.writeStringField("id", row.id());
            }
            lines.writeStringField("label", prediction.label());
            lines.writeObjectFieldStart("scores");
            for (Map.Entry<String, Double> score : prediction.probabilities().entrySet()) {
                lines.writeNumberField(score.getKey(), score.getValue());
            }
            lines.writeEndObject();
            lines.writeEndObject();
        }
    }
}

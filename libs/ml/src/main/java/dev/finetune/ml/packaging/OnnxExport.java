package dev.finetune.ml.packaging;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.onnx.ClassifierGraph;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A ModelVersion for use outside the platform: a zip of {@value #MODEL} (encoder, pooling, head and softmax
 * as one ONNX graph, see {@link ClassifierGraph}), {@value #TOKENIZER} (set to pad each batch to its longest
 * text and truncate to the model's max length, so a client only calls it), {@value #LABELS} (output k is
 * label k) and {@value #MODEL_CARD} ({@link ModelCard}). Built from a model package and its base model's
 * shipped ONNX file; the same package always gives the same bytes.
 */
public final class OnnxExport {

    public static final String MODEL = "model.onnx";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String LABELS = "labels.json";
    public static final String MODEL_CARD = "model-card.json";
    public static final String CONTENT_TYPE = "application/zip";
    private static final String PAD_TOKEN = "[PAD]";
    static final List<String> INPUTS = List.of("input_ids", "attention_mask", "token_type_ids");

    /** tokenizer.json keeps its nulls: the tokenizers library reads them as "not set". */
    private static final Gson TOKENIZER_JSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
    private static final java.time.LocalDateTime ZIP_TIME = java.time.LocalDateTime.of(1980, 1, 1, 0, 0);

    private final Map<String, byte[]> entries;

    private OnnxExport(Map<String, byte[]> entries) {
        this.entries = entries;
    }

    /**
     * Exports a package whose base model is in the {@link BaseModel#catalog() catalog}.
     *
     * @param model the registered model's name, {@code version} the ModelVersion and {@code testMetrics} its
     *     evaluation on the test split, for the model card
     * @throws IllegalArgumentException when the package's base model is not in the catalog
     */
    public static OnnxExport of(ModelPackage modelPackage, String model, int version, Map<String, Double> testMetrics) {
        ModelMetadata metadata = modelPackage.metadata();
        byte[] base = BaseModel.describe(metadata.baseModel()).readOnnx();
        byte[] graph = ClassifierGraph.build(base, modelPackage.weights(), metadata.architecture().pooling());
        ModelCard card = new ModelCard(ModelCard.FORMAT_VERSION, model, version, modelPackage.sha256(),
                metadata.baseModel(), metadata.architecture().pooling(), metadata.labels(), metadata.maxLength(),
                metadata.datasetVersion(), metadata.hyperparameters(), metadata.step(), metadata.epoch(),
                metadata.metrics(), Map.copyOf(testMetrics), metadata.createdAt(), INPUTS,
                List.of(ClassifierGraph.LOGITS, ClassifierGraph.PROBABILITIES));
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put(MODEL, graph);
        entries.put(TOKENIZER, readyTokenizer(modelPackage.tokenizerJson(), metadata.maxLength()));
        entries.put(LABELS, Json.GSON.toJson(metadata.labels()).getBytes(StandardCharsets.UTF_8));
        entries.put(MODEL_CARD, Json.GSON.toJson(card).getBytes(StandardCharsets.UTF_8));
        return new OnnxExport(entries);
    }

    /** The file of that name inside the export ({@link #MODEL}, {@link #TOKENIZER}, ...). */
    public byte[] entry(String name) {
        byte[] content = entries.get(name);
        if (content == null) {
            throw new IllegalArgumentException("an ONNX export has no " + name + "; it has " + entries.keySet());
        }
        return content.clone();
    }

    /** Writes the zip to {@code out} (flushed, not closed). */
    public void writeTo(OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            // The graph is mostly float weights, which barely compress; spend no time on them.
            zip.setLevel(e.getKey().equals(MODEL) ? Deflater.NO_COMPRESSION : Deflater.BEST_SPEED);
            ZipEntry entry = new ZipEntry(e.getKey());
            entry.setTimeLocal(ZIP_TIME);
            zip.putNextEntry(entry);
            zip.write(e.getValue());
            zip.closeEntry();
        }
        zip.finish();
        out.flush();
    }

    /** Total bytes of the entries (about the zip's size: the graph is stored uncompressed). */
    public long sizeBytes() {
        return entries.values().stream().mapToLong(b -> b.length).sum();
    }

    /**
     * The package's tokenizer.json with padding to the longest text of a batch and truncation to
     * {@code maxLength}, as the platform tokenises; the base files pad to a fixed 128 or not at all.
     */
    static byte[] readyTokenizer(byte[] tokenizerJson, int maxLength) {
        JsonObject tokenizer = JsonParser.parseString(new String(tokenizerJson, StandardCharsets.UTF_8)).getAsJsonObject();
        JsonObject truncation = new JsonObject();
        truncation.addProperty("direction", "Right");
        truncation.addProperty("max_length", maxLength);
        truncation.addProperty("strategy", "LongestFirst");
        truncation.addProperty("stride", 0);
        tokenizer.add("truncation", truncation);
        JsonObject padding = new JsonObject();
        padding.addProperty("strategy", "BatchLongest");
        padding.addProperty("direction", "Right");
        padding.add("pad_to_multiple_of", com.google.gson.JsonNull.INSTANCE);
        padding.addProperty("pad_id", padId(tokenizer));
        padding.addProperty("pad_type_id", 0);
        padding.addProperty("pad_token", PAD_TOKEN);
        tokenizer.add("padding", padding);
        return TOKENIZER_JSON.toJson(tokenizer).getBytes(StandardCharsets.UTF_8);
    }

    private static int padId(JsonObject tokenizer) {
        JsonObject vocab = tokenizer.getAsJsonObject("model").getAsJsonObject("vocab");
        if (vocab == null || !vocab.has(PAD_TOKEN)) {
            throw new IllegalArgumentException("tokenizer.json has no " + PAD_TOKEN + " token in its WordPiece vocabulary");
        }
        return vocab.get(PAD_TOKEN).getAsInt();
    }
}

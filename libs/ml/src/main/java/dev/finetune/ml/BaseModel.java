package dev.finetune.ml;

import dev.finetune.ml.bert.BertConfig;
import dev.finetune.ml.bert.Pooling;
import dev.finetune.ml.onnx.OnnxWeights;
import dev.finetune.ml.packaging.Json;
import dev.finetune.ml.weights.FloatTensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A pretrained BERT-family encoder to fine-tune: its name, shape, weights (on the Java heap, by
 * HuggingFace name) and tokenizer.json. The base models the platform offers are described by data, in
 * {@code base-models.json} beside this class ({@link #catalog()}: name, the Maven artifact shipping the files,
 * pooling), and loaded by name ({@link #named}); {@link #fromOnnx} loads any other export with the same naming.
 */
public final class BaseModel {

    /** Name recorded in model packages for the default base model. */
    public static final String MINILM_NAME = "sentence-transformers/all-MiniLM-L6-v2";
    /** BGE-small-en-v1.5: twice MiniLM's layers, [CLS] pooling. */
    public static final String BGE_SMALL_NAME = "BAAI/bge-small-en-v1.5";

    private static final List<Description> CATALOG = readCatalog();
    private static final Map<String, BaseModel> LOADED = new ConcurrentHashMap<>();

    private final String name;
    private final BertConfig config;
    private final Map<String, FloatTensor> weights;
    private final byte[] tokenizerJson;

    public BaseModel(String name, BertConfig config, Map<String, FloatTensor> weights, byte[] tokenizerJson) {
        this.name = name;
        this.config = config;
        this.weights = Collections.unmodifiableMap(weights);
        this.tokenizerJson = tokenizerJson.clone();
    }

    /** all-MiniLM-L6-v2 from the langchain4j artifact on the classpath; parsed once and shared (read-only). */
    public static BaseModel minilm() {
        return named(MINILM_NAME);
    }

    /** The base models this library offers, in the order of {@code base-models.json}. */
    public static List<Description> catalog() {
        return CATALOG;
    }

    /**
     * The base model of that name from the catalog, parsed on first use and shared (read-only) afterwards.
     *
     * @throws IllegalArgumentException naming the available ones when {@code name} is not in the catalog
     */
    public static BaseModel named(String name) {
        Description description = describe(name);
        return LOADED.computeIfAbsent(name, n -> description.load());
    }

    /**
     * The catalog entry of that name.
     *
     * @throws IllegalArgumentException naming the available ones when {@code name} is not in the catalog
     */
    public static Description describe(String name) {
        return CATALOG.stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown base model '" + name + "'; available: "
                        + String.join(", ", CATALOG.stream().map(Description::name).toList())));
    }

    /**
     * One entry of the catalog: what a user picks a base model by, and where its files are.
     *
     * @param artifact the Maven artifact that ships {@code onnx} and {@code tokenizer} on the classpath
     * @param pooling how token states become the sentence embedding, as the model was pretrained
     */
    public record Description(String name, String summary, String artifact, String onnx, String tokenizer,
                              Pooling pooling) {

        /** The base model's ONNX file as shipped: what an ONNX export of a fine-tuned version starts from. */
        public byte[] readOnnx() {
            return resource(onnx, artifact);
        }

        BaseModel load() {
            OnnxWeights parsed = OnnxWeights.parse(readOnnx());
            BertConfig config = BertConfig.fromWeights(parsed.tensors(), OptionalInt.empty(),
                    parsed.attentionScale().orElse(null)).withPooling(pooling);
            return new BaseModel(name, config, parsed.tensors(), resource(tokenizer, artifact));
        }
    }

    /**
     * Loads a BERT-family ONNX export whose initializers and MatMul nodes carry HuggingFace names.
     *
     * @param heads attention heads when the export does not reveal them; empty to read them from the file
     */
    public static BaseModel fromOnnx(String name, Path onnx, Path tokenizerJson, OptionalInt heads) {
        try {
            return fromOnnx(name, Files.readAllBytes(onnx), Files.readAllBytes(tokenizerJson), heads);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read base model " + name + " from " + onnx, e);
        }
    }

    /** As {@link #fromOnnx(String, Path, Path, OptionalInt)}, from bytes. */
    public static BaseModel fromOnnx(String name, byte[] onnx, byte[] tokenizerJson, OptionalInt heads) {
        OnnxWeights parsed = OnnxWeights.parse(onnx);
        BertConfig config = BertConfig.fromWeights(parsed.tensors(), heads, parsed.attentionScale().orElse(null));
        return new BaseModel(name, config, parsed.tensors(), tokenizerJson);
    }

    public String name() {
        return name;
    }

    public BertConfig config() {
        return config;
    }

    /** Encoder weights by HuggingFace name; linear weights as [out, in]. */
    public Map<String, FloatTensor> weights() {
        return weights;
    }

    public byte[] tokenizerJson() {
        return tokenizerJson.clone();
    }

    private static byte[] resource(String path, String artifact) {
        try (InputStream in = BaseModel.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the classpath: add " + artifact
                        + " as a dependency");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private static List<Description> readCatalog() {
        byte[] json = resource("base-models.json", "libs/ml's own resources");
        Description[] entries = Json.GSON.fromJson(new String(json, StandardCharsets.UTF_8), Description[].class);
        return List.of(entries);
    }
}

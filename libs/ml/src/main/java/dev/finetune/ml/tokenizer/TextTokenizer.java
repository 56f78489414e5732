package dev.finetune.ml.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * WordPiece tokenisation from a HuggingFace {@code tokenizer.json}, truncated to a maximum length and
 * never padded: the file's fixed padding (128 for MiniLM) is switched off so batches pad dynamically.
 */
public final class TextTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer tokenizer;
    private final byte[] json;
    private final int maxLength;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, byte[] json, int maxLength) {
        this.tokenizer = tokenizer;
        this.json = json;
        this.maxLength = maxLength;
    }

    /** A tokenizer from the bytes of a tokenizer.json, truncating to {@code maxLength} tokens (special tokens included). */
    public static TextTokenizer fromJson(byte[] tokenizerJson, int maxLength) {
        Map<String, String> options = Map.of(
                "padding", "false",
                "truncation", "true",
                "maxLength", Integer.toString(maxLength),
                "addSpecialTokens", "true");
        try {
            return new TextTokenizer(
                    HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), options), tokenizerJson, maxLength);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer.json", e);
        }
    }

    public int maxLength() {
        return maxLength;
    }

    /** The tokenizer.json this tokenizer was built from, to ship inside a model package. */
    public byte[] json() {
        return json.clone();
    }

    /** Token ids of each text ([CLS] ... [SEP]), truncated, unpadded. */
    public List<long[]> encode(List<String> texts) {
        List<long[]> ids = new ArrayList<>(texts.size());
        // batchEncode tokenises in parallel in Rust; chunks keep the native call's memory small.
        int chunk = 512;
        for (int i = 0; i < texts.size(); i += chunk) {
            for (Encoding e : tokenizer.batchEncode(texts.subList(i, Math.min(texts.size(), i + chunk)))) {
                ids.add(e.getIds());
            }
        }
        return ids;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

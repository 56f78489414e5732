package dev.finetune.ml.bert;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.tokenizer.TextTokenizer;
import dev.finetune.ml.tokenizer.TokenBatch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Pooled sentence embeddings from a pretrained encoder (its own pooling), as sentence-transformers computes them
 * (before L2 normalisation). Used by the parity test and available to services that need embeddings.
 */
public final class SentenceEncoder implements AutoCloseable {

    private final Model model;
    private final BertEncoder encoder;
    private final TextTokenizer tokenizer;

    private SentenceEncoder(Model model, BertEncoder encoder, TextTokenizer tokenizer) {
        this.model = model;
        this.encoder = encoder;
        this.tokenizer = tokenizer;
    }

    public static SentenceEncoder create(BaseModel base, int maxLength) {
        Model model = Model.newInstance(base.name());
        try {
            BertEncoder encoder = new BertEncoder(base.config());
            encoder.loadWeights(model.getNDManager(), base.weights());
            model.setBlock(encoder);
            return new SentenceEncoder(model, encoder, TextTokenizer.fromJson(base.tokenizerJson(), maxLength));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Embeddings [texts][hidden], in input order; texts are batched by length so padding stays small. */
    public float[][] embed(List<String> texts, int batchSize) {
        List<long[]> ids = tokenizer.encode(texts);
        int[] order = IntStream.range(0, ids.size()).boxed()
                .sorted(Comparator.comparingInt(i -> ids.get(i).length))
                .mapToInt(Integer::intValue).toArray();
        float[][] out = new float[texts.size()][];
        int hidden = encoder.config().hiddenSize();
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(order.length, start + batchSize);
            List<long[]> chunk = new ArrayList<>();
            for (int i = start; i < end; i++) {
                chunk.add(ids.get(order[i]));
            }
            try (NDManager batch = model.getNDManager().newSubManager()) {
                NDList inputs = TokenBatch.of(chunk).toNDList(batch);
                NDArray pooled = encoder.apply(inputs, false).singletonOrThrow();
                float[] flat = pooled.toFloatArray();
                for (int i = start; i < end; i++) {
                    float[] row = new float[hidden];
                    System.arraycopy(flat, (i - start) * hidden, row, 0, hidden);
                    out[order[i]] = row;
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}

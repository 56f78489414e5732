package dev.finetune.ml.bert;

import dev.finetune.ml.weights.FloatTensor;

import java.util.Map;
import java.util.OptionalInt;

/**
 * The shape of a BERT encoder. Read from the weights themselves (and the attention scale constant for
 * the head count), so another BERT-family export loads without hand-written numbers; the pooling comes
 * from the base model's description (BaseModel).
 */
public record BertConfig(
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        int maxPositions,
        int typeVocabSize,
        float layerNormEps,
        float dropout,
        Pooling pooling) {

    /** The conventional LayerNorm epsilon of BERT checkpoints. */
    public static final float BERT_LAYER_NORM_EPS = 1e-12f;

    public BertConfig {
        if (pooling == null) {
            pooling = Pooling.MEAN; // packages written before pooling was recorded are all MiniLM's
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hidden size " + hiddenSize + " is not a multiple of " + numHeads + " heads");
        }
    }

    public BertConfig withPooling(Pooling p) {
        return new BertConfig(vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, dropout, p);
    }

    public BertConfig withDropout(float d) {
        return new BertConfig(vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, d, pooling);
    }

    public int headSize() {
        return hiddenSize / numHeads;
    }

    /**
     * Derives the configuration from HuggingFace-named weights.
     *
     * @param heads the head count when known; otherwise derived from {@code attentionScale} (sqrt of the head size)
     *     or, failing that, a head size of 64 (BERT-base convention)
     */
    public static BertConfig fromWeights(Map<String, FloatTensor> weights, OptionalInt heads, Float attentionScale) {
        FloatTensor words = require(weights, "embeddings.word_embeddings.weight");
        int hidden = words.dim(1);
        int layers = 0;
        while (weights.containsKey("encoder.layer." + layers + ".attention.self.query.weight")) {
            layers++;
        }
        if (layers == 0) {
            throw new IllegalArgumentException("no encoder.layer.N weights found: not a BERT-family export with HuggingFace names");
        }
        int numHeads;
        if (heads.isPresent()) {
            numHeads = heads.getAsInt();
        } else if (attentionScale != null) {
            int headSize = Math.round(attentionScale * attentionScale);
            numHeads = hidden / headSize;
        } else {
            numHeads = Math.max(1, hidden / 64);
        }
        return new BertConfig(
                words.dim(0),
                hidden,
                layers,
                numHeads,
                require(weights, "encoder.layer.0.intermediate.dense.weight").dim(0),
                require(weights, "embeddings.position_embeddings.weight").dim(0),
                require(weights, "embeddings.token_type_embeddings.weight").dim(0),
                BERT_LAYER_NORM_EPS,
                0.1f,
                Pooling.MEAN);
    }

    private static FloatTensor require(Map<String, FloatTensor> weights, String name) {
        FloatTensor t = weights.get(name);
        if (t == null) {
            throw new IllegalArgumentException("missing weight " + name);
        }
        return t;
    }
}

package dev.finetune.ml.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A BERT encoder (embeddings and N post-LayerNorm layers) pooled as its base model was pretrained (mean over
 * real tokens for MiniLM, [CLS] for BGE). Written with DJL blocks because DJL's own {@code BertBlock} is not a
 * faithful BERT.
 *
 * <p>Inputs: token ids [B, T] (int64) and attention mask [B, T] (float32, 1 for real tokens). Output:
 * the pooled sentence embedding [B, H].
 */
public final class BertEncoder extends NamedBlock {

    /** Masked positions get this added to their attention scores: softmax gives them exactly 0 in fp32. */
    private static final float MASK_VALUE = -10000f;

    private final BertConfig config;
    private final Parameter wordEmbeddings;
    private final Parameter positionEmbeddings;
    private final Parameter typeEmbeddings;
    private final Parameter normG;
    private final Parameter normB;
    private final List<BertLayer> layers = new ArrayList<>();

    public BertEncoder(BertConfig config) {
        this.config = config;
        wordEmbeddings = param("embeddings.word_embeddings.weight", Parameter.Type.WEIGHT);
        positionEmbeddings = param("embeddings.position_embeddings.weight", Parameter.Type.WEIGHT);
        typeEmbeddings = param("embeddings.token_type_embeddings.weight", Parameter.Type.WEIGHT);
        normG = param("embeddings.LayerNorm.weight", Parameter.Type.GAMMA);
        normB = param("embeddings.LayerNorm.bias", Parameter.Type.BETA);
        for (int i = 0; i < config.numLayers(); i++) {
            BertLayer layer = addChildBlock("layer" + i, new BertLayer(config, i));
            layers.add(layer);
            include(layer);
        }
    }

    public BertConfig config() {
        return config;
    }

    public List<BertLayer> layers() {
        return Collections.unmodifiableList(layers);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray mask = inputs.get(1);
        NDArray tokens = tokenStates(ids, mask, training);
        return new NDList(config.pooling().pool(tokens, mask));
    }

    /** The last hidden state [B, T, H]. */
    public NDArray tokenStates(NDArray ids, NDArray mask, boolean training) {
        NDManager manager = ids.getManager();
        long t = ids.getShape().get(1);
        // Lookups are called on index arrays created in the batch's manager, so results land there too.
        NDArray positions = manager.arange(0, t, 1, DataType.INT64);
        NDArray types = manager.zeros(new Shape(1), DataType.INT64);
        NDArray x = embed(ids, wordEmbeddings)
                .add(embed(positions, positionEmbeddings))
                .add(embed(types, typeEmbeddings));
        x = LayerNorm.layerNorm(x, new Shape(config.hiddenSize()), normG.getArray(), normB.getArray(), config.layerNormEps())
                .singletonOrThrow();
        if (training && config.dropout() > 0) {
            x = Dropout.dropout(x, config.dropout(), true).singletonOrThrow();
        }
        NDArray maskBias = mask.sub(1f).mul(-MASK_VALUE).reshape(mask.getShape().get(0), 1, 1, t);
        NDList state = new NDList(x, maskBias);
        for (BertLayer layer : layers) {
            state = new NDList(layer.apply(state, training).singletonOrThrow(), maskBias);
        }
        return state.get(0);
    }

    private static NDArray embed(NDArray ids, Parameter table) {
        return Embedding.embedding(ids, table.getArray(), SparseFormat.DENSE).singletonOrThrow();
    }
}

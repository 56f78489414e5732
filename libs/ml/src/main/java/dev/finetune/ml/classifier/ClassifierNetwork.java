package dev.finetune.ml.classifier;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.finetune.ml.bert.BertConfig;
import dev.finetune.ml.bert.BertEncoder;
import dev.finetune.ml.bert.NamedBlock;

/**
 * Encoder, dropout and a linear head: the text classifier's network. The head can also run on cached
 * sentence embeddings, which is what makes the {@code head} strategy nearly free.
 */
public final class ClassifierNetwork extends NamedBlock {

    public static final String HEAD_WEIGHT = "classifier.weight";
    public static final String HEAD_BIAS = "classifier.bias";

    private final BertEncoder encoder;
    private final Parameter headW;
    private final Parameter headB;
    private final int numLabels;

    public ClassifierNetwork(BertConfig config, int numLabels) {
        this.encoder = addChildBlock("encoder", new BertEncoder(config));
        include(encoder);
        this.headW = param(HEAD_WEIGHT, Parameter.Type.WEIGHT);
        this.headB = param(HEAD_BIAS, Parameter.Type.BIAS);
        this.numLabels = numLabels;
    }

    public BertEncoder encoder() {
        return encoder;
    }

    public int numLabels() {
        return numLabels;
    }

    /** inputs: token ids [B, T], attention mask [B, T]; output: logits [B, labels]. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray pooled = encoder.apply(inputs, training).singletonOrThrow();
        return new NDList(head(pooled, training));
    }

    /** Logits from sentence embeddings [B, H]. */
    public NDArray head(NDArray pooled, boolean training) {
        float rate = encoder.config().dropout();
        NDArray x = training && rate > 0 ? Dropout.dropout(pooled, rate, true).singletonOrThrow() : pooled;
        return Linear.linear(x, headW.getArray(), headB.getArray()).singletonOrThrow();
    }
}

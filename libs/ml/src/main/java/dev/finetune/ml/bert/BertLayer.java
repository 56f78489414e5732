package dev.finetune.ml.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One post-LayerNorm BERT layer: masked multi-head self-attention and an erf-GELU feed-forward, each
 * followed by dropout, a residual add and LayerNorm (eps 1e-12), exactly as HuggingFace's BertLayer.
 * Every op is called on the activation, never on a parameter, so its result lands in the batch's manager.
 */
public final class BertLayer extends NamedBlock {

    private final BertConfig config;
    private final Parameter queryW, queryB, keyW, keyB, valueW, valueB;
    private final Parameter attnOutW, attnOutB, attnNormG, attnNormB;
    private final Parameter interW, interB, outW, outB, outNormG, outNormB;
    private final Shape normShape;
    private final float scale;

    public BertLayer(BertConfig config, int index) {
        this.config = config;
        String p = "encoder.layer." + index + ".";
        queryW = param(p + "attention.self.query.weight", Parameter.Type.WEIGHT);
        queryB = param(p + "attention.self.query.bias", Parameter.Type.BIAS);
        keyW = param(p + "attention.self.key.weight", Parameter.Type.WEIGHT);
        keyB = param(p + "attention.self.key.bias", Parameter.Type.BIAS);
        valueW = param(p + "attention.self.value.weight", Parameter.Type.WEIGHT);
        valueB = param(p + "attention.self.value.bias", Parameter.Type.BIAS);
        attnOutW = param(p + "attention.output.dense.weight", Parameter.Type.WEIGHT);
        attnOutB = param(p + "attention.output.dense.bias", Parameter.Type.BIAS);
        attnNormG = param(p + "attention.output.LayerNorm.weight", Parameter.Type.GAMMA);
        attnNormB = param(p + "attention.output.LayerNorm.bias", Parameter.Type.BETA);
        interW = param(p + "intermediate.dense.weight", Parameter.Type.WEIGHT);
        interB = param(p + "intermediate.dense.bias", Parameter.Type.BIAS);
        outW = param(p + "output.dense.weight", Parameter.Type.WEIGHT);
        outB = param(p + "output.dense.bias", Parameter.Type.BIAS);
        outNormG = param(p + "output.LayerNorm.weight", Parameter.Type.GAMMA);
        outNormB = param(p + "output.LayerNorm.bias", Parameter.Type.BETA);
        normShape = new Shape(config.hiddenSize());
        scale = (float) (1.0 / Math.sqrt(config.headSize()));
    }

    /** inputs: hidden states [B, T, H] and the additive attention mask [B, 1, 1, T]; output: [B, T, H]. */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray maskBias = inputs.get(1);
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        int heads = config.numHeads();
        int d = config.headSize();
        // Scaling q (B*T*H values) is cheaper than scaling the scores (B*heads*T*T). The scale is a tensor
        // libtorch allocated, never q.mul(float): DJL makes a Number into a tensor over a direct ByteBuffer
        // and closes it as soon as mul returns, while autograd keeps that tensor for the backward pass; a
        // garbage collection in between freed its memory and backward read whatever malloc left there
        // (the random NaN of docs/benchmarks.md). A tensor from full() is kept alive by libtorch's refcount.
        NDArray q = linear(ps, x, queryW, queryB).mul(scalar(x, scale)).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
        NDArray k = linear(ps, x, keyW, keyB).reshape(b, t, heads, d).transpose(0, 2, 3, 1);
        NDArray v = linear(ps, x, valueW, valueB).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
        NDArray probs = dropout(q.matMul(k).add(maskBias).softmax(-1), training);
        NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, config.hiddenSize());
        NDArray attention = dropout(linear(ps, context, attnOutW, attnOutB), training);
        NDArray h = norm(ps, x.add(attention), attnNormG, attnNormB);
        NDArray inter = Activation.gelu(linear(ps, h, interW, interB));
        NDArray out = dropout(linear(ps, inter, outW, outB), training);
        return new NDList(norm(ps, h.add(out), outNormG, outNormB));
    }

    private static NDArray linear(ParameterStore ps, NDArray x, Parameter w, Parameter b) {
        return Linear.linear(x, value(ps, x, w), value(ps, x, b)).singletonOrThrow();
    }

    private NDArray norm(ParameterStore ps, NDArray x, Parameter gamma, Parameter beta) {
        return LayerNorm.layerNorm(x, normShape, value(ps, x, gamma), value(ps, x, beta), config.layerNormEps())
                .singletonOrThrow();
    }

    private NDArray dropout(NDArray x, boolean training) {
        return training && config.dropout() > 0 ? Dropout.dropout(x, config.dropout(), true).singletonOrThrow() : x;
    }

    /**
     * A 0-d float32 constant in {@code like}'s manager whose memory libtorch owns, for operands that
     * autograd may save: see the comment in {@link #forwardInternal}.
     */
    static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, DataType.FLOAT32);
    }

    static NDArray value(ParameterStore ps, NDArray like, Parameter p) {
        // Single device: the parameter's own array, without ParameterStore's per-device copy bookkeeping.
        return p.getArray();
    }
}

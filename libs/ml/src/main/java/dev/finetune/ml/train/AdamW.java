package dev.finetune.ml.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.finetune.ml.runtime.GradMode;
import dev.finetune.ml.weights.FloatTensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (decoupled weight decay, bias-corrected moments, as torch.optim.AdamW) over named parameters,
 * with optional global-norm gradient clipping. Its own implementation rather than DJL's optimizer so
 * the moments can be exported into a checkpoint and restored exactly on resume.
 */
final class AdamW implements AutoCloseable {

    /** A trained parameter, its learning-rate group and whether weight decay applies. */
    record Slot(String name, Parameter parameter, boolean head, boolean decay) {}

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPS = 1e-8f;

    private final NDManager stateManager;
    private final List<Slot> slots;
    private final Map<String, NDArray> means = new LinkedHashMap<>();
    private final Map<String, NDArray> variances = new LinkedHashMap<>();
    private long updates;

    AdamW(NDManager parent, List<Slot> slots) {
        this.stateManager = parent.newSubManager();
        this.slots = slots;
        for (Slot s : slots) {
            Shape shape = s.parameter().getArray().getShape();
            means.put(s.name(), stateManager.zeros(shape));
            variances.put(s.name(), stateManager.zeros(shape));
        }
    }

    long updates() {
        return updates;
    }

    /**
     * Applies one update from the accumulated gradients, then zeroes them.
     *
     * @param step a per-step manager: every temporary of the update is created in it
     * @return the global gradient norm before clipping
     */
    double step(NDManager step, float encoderLr, float headLr, float weightDecay, float clipNorm) {
        try (GradMode ignored = GradMode.off()) {
            NDArray[] grads = new NDArray[slots.size()];
            double sumSquares = 0;
            for (int i = 0; i < grads.length; i++) {
                grads[i] = slots.get(i).parameter().getArray().getGradient();
                grads[i].attach(step); // the wrapper is created in the parameter's manager
                sumSquares += grads[i].square().sum().getFloat();
            }
            double norm = Math.sqrt(sumSquares);
            if (!Double.isFinite(norm)) {
                // An inf or NaN gradient would poison the moments and every weight for good: drop it.
                discardGradients();
                return norm;
            }
            float scale = clipNorm > 0 && norm > clipNorm ? (float) (clipNorm / (norm + 1e-6)) : 1f;
            updates++;
            float bc1 = (float) (1 - Math.pow(BETA1, updates));
            float bc2 = (float) (1 - Math.pow(BETA2, updates));
            float invSqrtBc2 = (float) (1 / Math.sqrt(bc2));
            for (int i = 0; i < grads.length; i++) {
                Slot s = slots.get(i);
                NDArray w = s.parameter().getArray();
                NDArray g = grads[i];
                NDArray m = means.get(s.name());
                NDArray v = variances.get(s.name());
                float lr = s.head() ? headLr : encoderLr;
                // Clipping folds into the moment coefficients: no extra pass over the gradient.
                m.muli(BETA1).addi(g.mul((1 - BETA1) * scale));
                v.muli(BETA2).addi(g.square().muli((1 - BETA2) * scale * scale));
                NDArray denom = v.sqrt();
                denom.attach(step);
                denom.muli(invSqrtBc2).addi(EPS);
                NDArray update = m.div(denom);
                update.attach(step);
                if (s.decay() && weightDecay > 0) {
                    w.muli(1 - lr * weightDecay);
                }
                w.subi(update.muli(lr / bc1));
                JniUtils.zeroGrad((PtNDArray) w);
            }
            return norm;
        }
    }

    /** Zeroes the accumulated gradients without an update (a step whose loss or gradient was not finite). */
    void discardGradients() {
        for (Slot s : slots) {
            JniUtils.zeroGrad((PtNDArray) s.parameter().getArray());
        }
    }

    /** Moments as named tensors ("m/NAME", "v/NAME"), for a checkpoint. */
    Map<String, FloatTensor> exportState() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        means.forEach((k, a) -> out.put("m/" + k, new FloatTensor(a.getShape().getShape(), a.toFloatArray())));
        variances.forEach((k, a) -> out.put("v/" + k, new FloatTensor(a.getShape().getShape(), a.toFloatArray())));
        return out;
    }

    void loadState(Map<String, FloatTensor> state, long updateCount) {
        for (Slot s : slots) {
            copyInto(means.get(s.name()), state.get("m/" + s.name()), s.name());
            copyInto(variances.get(s.name()), state.get("v/" + s.name()), s.name());
        }
        updates = updateCount;
    }

    private static void copyInto(NDArray target, FloatTensor source, String name) {
        if (source == null) {
            throw new IllegalArgumentException("checkpoint has no optimizer state for " + name
                    + " (was it trained with another strategy?)");
        }
        target.set(java.nio.FloatBuffer.wrap(source.data()));
    }

    @Override
    public void close() {
        stateManager.close();
    }
}

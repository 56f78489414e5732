package dev.finetune.ml.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.finetune.ml.weights.FloatTensor;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A DJL block whose parameters carry their HuggingFace names, so weights move between the ONNX file,
 * the model package and the optimizer state by name rather than by DJL's positional child prefixes.
 */
public abstract class NamedBlock extends AbstractBlock {

    private final Map<String, Parameter> named = new LinkedHashMap<>();

    protected NamedBlock() {
        super((byte) 1);
    }

    protected final Parameter param(String name, Parameter.Type type) {
        Parameter p = addParameter(Parameter.builder().setName(name).setType(type).build());
        named.put(name, p);
        return p;
    }

    protected final void include(NamedBlock child) {
        named.putAll(child.namedParameters());
    }

    /**
     * Runs the block. Unlike {@link #forward} it never tries to initialise parameters by shape (ours
     * are set from weights), which DJL would otherwise attempt on every training-mode call.
     */
    public final ai.djl.ndarray.NDList apply(ai.djl.ndarray.NDList inputs, boolean training) {
        return forwardInternal(null, inputs, training, null);
    }

    /** Parameters by HuggingFace name, in a stable order. */
    public Map<String, Parameter> namedParameters() {
        return Collections.unmodifiableMap(named);
    }

    /**
     * Sets every parameter from {@code weights} (by name), creating the arrays in {@code manager}; a
     * missing or mis-shaped weight is an error that names it.
     */
    public void loadWeights(NDManager manager, Map<String, FloatTensor> weights) {
        for (Map.Entry<String, Parameter> e : named.entrySet()) {
            FloatTensor t = weights.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("missing weight " + e.getKey());
            }
            NDArray array = manager.create(t.data(), new Shape(t.shape()));
            Parameter p = e.getValue();
            if (p.isInitialized()) {
                p.getArray().close();
            }
            p.setArray(array);
        }
    }

    /** Copies every parameter to the Java heap, by name. */
    public Map<String, FloatTensor> exportWeights() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        named.forEach((name, p) -> out.put(name, new FloatTensor(p.getArray().getShape().getShape(), p.getArray().toFloatArray())));
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException("shapes are dynamic; this block is never initialised by shape");
    }
}

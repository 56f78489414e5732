package dev.finetune.ml.onnx;

import dev.finetune.ml.weights.FloatTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The float weights of a BERT-family ONNX export, under their HuggingFace names. Named initializers
 * keep their names; the anonymous {@code onnx::MatMul_N} weights are named after the MatMul node that
 * reads them and transposed from ONNX's [in, out] to the [out, in] layout of a linear layer.
 */
public final class OnnxWeights {

    // ModelProto.graph, GraphProto.node / initializer, NodeProto.input / output / op_type / attribute,
    // AttributeProto.name / t, TensorProto.dims / data_type / float_data / name / raw_data.
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int ATTRIBUTE_TENSOR = 5;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_FLOAT_DATA = 4;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int TENSOR_EXTERNAL_DATA = 13;
    private static final int FLOAT = 1;
    private static final String MATMUL_PREFIX = "onnx::MatMul";

    private final Map<String, FloatTensor> tensors;
    private final Map<String, Float> constants;

    private OnnxWeights(Map<String, FloatTensor> tensors, Map<String, Float> constants) {
        this.tensors = tensors;
        this.constants = constants;
    }

    /** Parses an ONNX model held in memory. */
    public static OnnxWeights parse(byte[] model) {
        ProtoReader top = new ProtoReader(model, 0, model.length);
        ProtoReader graph = null;
        while (top.next()) {
            if (top.field() == MODEL_GRAPH) {
                graph = top.nested();
            }
        }
        if (graph == null) {
            throw new IllegalArgumentException("not an ONNX model: no graph");
        }
        Map<String, FloatTensor> initializers = new LinkedHashMap<>();
        List<Node> nodes = new ArrayList<>();
        Map<String, Float> constants = new LinkedHashMap<>();
        while (graph.next()) {
            if (graph.field() == GRAPH_INITIALIZER) {
                Named named = readTensor(graph.nested());
                if (named != null) {
                    initializers.put(named.name, named.tensor);
                }
            } else if (graph.field() == GRAPH_NODE) {
                Node node = readNode(graph.nested());
                nodes.add(node);
                if (node.opType.equals("Constant") && node.scalar != null && !node.outputs.isEmpty()) {
                    constants.put(node.outputs.get(0), node.scalar);
                }
            }
        }
        Map<String, FloatTensor> named = new LinkedHashMap<>();
        weightNames(nodes, initializers.keySet()).forEach((initializer, weight) -> {
            FloatTensor tensor = initializers.get(initializer);
            named.put(weight.name(), weight.transposed() ? tensor.transpose2d() : tensor);
        });
        return new OnnxWeights(named, constants);
    }

    /**
     * The one mapping between the graph's float initializers and HuggingFace weight names, used both to read
     * a base model ({@link #parse}) and to write fine-tuned weights back into its graph ({@link ClassifierGraph}).
     * Named initializers keep their names; an anonymous {@code onnx::MatMul_N} takes the name of the MatMul
     * node that reads it and is stored transposed ([in, out]).
     *
     * @return weight by initializer name, in the order of {@code floatInitializers}
     */
    static Map<String, WeightName> weightNames(List<Node> nodes, java.util.Collection<String> floatInitializers) {
        Map<String, String> anonymous = new LinkedHashMap<>();
        for (Node node : nodes) {
            if (!node.opType.equals("MatMul") || node.outputs.isEmpty()) {
                continue;
            }
            for (String input : node.inputs) {
                if (input.startsWith(MATMUL_PREFIX)) {
                    anonymous.put(input, hfName(node.outputs.get(0)) + ".weight");
                }
            }
        }
        Map<String, WeightName> names = new LinkedHashMap<>();
        for (String initializer : floatInitializers) {
            if (!initializer.startsWith(MATMUL_PREFIX)) {
                names.put(initializer, new WeightName(initializer, false));
            } else if (anonymous.containsKey(initializer)) {
                names.put(initializer, new WeightName(anonymous.get(initializer), true));
            }
        }
        return names;
    }

    /** A graph initializer's HuggingFace weight name, and whether the graph stores it transposed. */
    record WeightName(String name, boolean transposed) {}

    /** Weights by HuggingFace name, linear weights as [out, in]. */
    public Map<String, FloatTensor> tensors() {
        return tensors;
    }

    /**
     * The scalar that divides the attention scores of the first layer (sqrt of the head size), when
     * the export kept it as a constant: the only place the number of heads can be read from.
     */
    public Optional<Float> attentionScale() {
        return Optional.ofNullable(constants.get("/encoder/layer.0/attention/self/Constant_12_output_0"))
                .or(() -> constants.entrySet().stream()
                        .filter(e -> e.getKey().startsWith("/encoder/layer.0/attention/self/"))
                        .filter(e -> e.getValue() > 1f && isSquareOfInteger(e.getValue()))
                        .map(Map.Entry::getValue)
                        .findFirst());
    }

    private static boolean isSquareOfInteger(float sqrt) {
        float square = sqrt * sqrt;
        return Math.abs(square - Math.round(square)) < 1e-3;
    }

    /** "/encoder/layer.0/attention/self/query/MatMul_output_0" becomes "encoder.layer.0.attention.self.query". */
    static String hfName(String nodeOutput) {
        String path = nodeOutput.replaceAll("^/+|/+$", "");
        int last = path.lastIndexOf('/');
        return path.substring(0, last).replace('/', '.');
    }

    static Named readTensor(ProtoReader r) {
        String name = null;
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        int[] raw = null; // {offset, length} of raw_data or packed float_data: both are little-endian floats
        int[] floats = null;
        while (r.next()) {
            switch (r.field()) {
                case TENSOR_DIMS -> {
                    if (r.wireType() == ProtoReader.VARINT) {
                        dims.add(r.varint());
                    } else {
                        for (long d : r.packedVarints()) {
                            dims.add(d);
                        }
                    }
                }
                case TENSOR_DATA_TYPE -> dataType = (int) r.varint();
                case TENSOR_NAME -> name = r.string();
                case TENSOR_RAW_DATA -> raw = new int[] {r.start(), r.length()};
                case TENSOR_FLOAT_DATA -> floats = new int[] {r.start(), r.length()};
                case TENSOR_EXTERNAL_DATA -> throw new IllegalArgumentException(
                        "ONNX tensor " + name + " uses external data, which is not supported; export with weights inline");
                default -> { }
            }
        }
        if (dataType != FLOAT) {
            return null; // position ids and other integer tensors are not weights
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long size = 1;
        for (long d : shape) {
            size *= d;
        }
        int[] source = raw != null ? raw : floats;
        if (source == null || source[1] != size * 4) {
            return null;
        }
        float[] data = new float[(int) size];
        ByteBuffer.wrap(r.data(), source[0], source[1])
                .order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(data);
        return new Named(name, new FloatTensor(shape, data));
    }

    static Node readNode(ProtoReader r) {
        Node node = new Node();
        while (r.next()) {
            switch (r.field()) {
                case NODE_INPUT -> node.inputs.add(r.string());
                case NODE_OUTPUT -> node.outputs.add(r.string());
                case NODE_OP_TYPE -> node.opType = r.string();
                case NODE_ATTRIBUTE -> {
                    ProtoReader attribute = r.nested();
                    while (attribute.next()) {
                        if (attribute.field() == ATTRIBUTE_TENSOR) {
                            Named value = readTensor(attribute.nested());
                            if (value != null && value.tensor.data().length == 1) {
                                node.scalar = value.tensor.data()[0];
                            }
                        }
                    }
                }
                default -> { }
            }
        }
        return node;
    }

    record Named(String name, FloatTensor tensor) {}

    static final class Node {
        final List<String> inputs = new ArrayList<>();
        final List<String> outputs = new ArrayList<>();
        String opType = "";
        Float scalar;
    }
}

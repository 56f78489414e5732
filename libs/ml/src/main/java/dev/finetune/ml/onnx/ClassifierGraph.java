package dev.finetune.ml.onnx;

import dev.finetune.ml.bert.Pooling;
import dev.finetune.ml.classifier.ClassifierNetwork;
import dev.finetune.ml.weights.FloatTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A fine-tuned classifier as one ONNX graph, built from its base model's graph: every encoder initializer
 * is replaced by its fine-tuned value (through the mapping {@link OnnxWeights} reads with), and the
 * pooling, the linear head and a softmax are appended after the token states. Everything else in the base
 * file (opsets, inputs, nodes, metadata) is copied byte for byte, so the encoder runs exactly as exported.
 *
 * <p>Inputs stay the base graph's ({@code input_ids}, {@code attention_mask}, {@code token_type_ids}, int64
 * [batch, tokens]); outputs become {@value #LOGITS} and {@value #PROBABILITIES}, float [batch, labels].
 */
public final class ClassifierGraph {

    public static final String LOGITS = "logits";
    public static final String PROBABILITIES = "probabilities";
    static final String ATTENTION_MASK = "attention_mask";

    // ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto and TypeProto field numbers
    // and enum values of onnx.proto3.
    private static final int MODEL_OPSET_IMPORT = 8;
    private static final int MODEL_GRAPH = 7;
    private static final int OPSET_DOMAIN = 1;
    private static final int OPSET_VERSION = 2;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    private static final int ATTRIBUTE_NAME = 1;
    private static final int ATTRIBUTE_I = 3;
    private static final int ATTRIBUTE_INTS = 8;
    private static final int ATTRIBUTE_TYPE = 20;
    private static final int ATTRIBUTE_INT = 2;
    private static final int ATTRIBUTE_INTS_TYPE = 7;
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_FLOAT_DATA = 4;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    private static final int VALUE_NAME = 1;
    private static final int VALUE_TYPE = 2;
    private static final int TYPE_TENSOR = 1;
    private static final int TENSOR_TYPE_ELEM = 1;
    private static final int TENSOR_TYPE_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;
    private static final int FLOAT = 1;
    private static final int INT64 = 7;
    /** From this opset on, ReduceSum and Unsqueeze take their axes as an input instead of an attribute. */
    private static final int AXES_AS_INPUT_OPSET = 13;
    private static final String BATCH = "batch_size";
    private static final String PREFIX = "/classifier/";

    private ClassifierGraph() {}

    /**
     * Builds the classifier's graph.
     *
     * @param baseOnnx the base model's ONNX file, whose first output is the last hidden state [batch, tokens, hidden]
     * @param weights every weight of the classifier by HuggingFace name (encoder and {@code classifier.*})
     * @param pooling how the encoder's token states become the sentence embedding
     * @throws IllegalArgumentException when a weight of the graph is missing or mis-shaped, or a weight has
     *     no place in the graph: an export that silently kept a base weight would score differently
     */
    public static byte[] build(byte[] baseOnnx, Map<String, FloatTensor> weights, Pooling pooling) {
        FloatTensor headWeight = require(weights, ClassifierNetwork.HEAD_WEIGHT);
        FloatTensor headBias = require(weights, ClassifierNetwork.HEAD_BIAS);
        int labels = headWeight.dim(0);

        ProtoReader model = new ProtoReader(baseOnnx, 0, baseOnnx.length);
        int[] graph = null; // {start, end} of the graph message, read twice
        int opset = 0;
        while (model.next()) {
            if (model.field() == MODEL_GRAPH) {
                graph = new int[] {model.start(), model.start() + model.length()};
            } else if (model.field() == MODEL_OPSET_IMPORT) {
                opset = Math.max(opset, defaultDomainVersion(model.nested()));
            }
        }
        if (graph == null || opset == 0) {
            throw new IllegalArgumentException("not an ONNX model: no graph or no default-domain opset");
        }
        Survey survey = survey(new ProtoReader(baseOnnx, graph[0], graph[1]));
        Map<String, OnnxWeights.WeightName> names = OnnxWeights.weightNames(survey.nodes, survey.floatInitializers);
        Set<String> unplaced = new HashSet<>(weights.keySet());
        unplaced.remove(ClassifierNetwork.HEAD_WEIGHT);
        unplaced.remove(ClassifierNetwork.HEAD_BIAS);
        names.values().forEach(n -> unplaced.remove(n.name()));
        if (!unplaced.isEmpty()) {
            throw new IllegalArgumentException("weights with no initializer in the base graph: " + unplaced);
        }

        ProtoWriter newGraph = new ProtoWriter(baseOnnx.length + 1024);
        ProtoReader g = new ProtoReader(baseOnnx, graph[0], graph[1]);
        while (g.next()) {
            if (g.field() == GRAPH_INITIALIZER) {
                ProtoReader tensor = g.nested();
                OnnxWeights.WeightName name = names.get(tensorName(g.nested()));
                if (name == null) {
                    newGraph.copy(g);
                } else {
                    newGraph.message(GRAPH_INITIALIZER, replaced(tensor, name, require(weights, name.name())));
                }
            } else if (g.field() != GRAPH_OUTPUT) {
                newGraph.copy(g);
            }
        }
        Appender appender = new Appender(newGraph, opset);
        String pooled = switch (pooling) {
            case MEAN -> appender.meanPooling(survey.hiddenState);
            case CLS -> appender.clsPooling(survey.hiddenState);
        };
        appender.head(pooled, headWeight, headBias);
        newGraph.message(GRAPH_OUTPUT, output(LOGITS, labels));
        newGraph.message(GRAPH_OUTPUT, output(PROBABILITIES, labels));

        ProtoWriter newModel = new ProtoWriter(baseOnnx.length + 2048);
        model = new ProtoReader(baseOnnx, 0, baseOnnx.length);
        while (model.next()) {
            if (model.field() == MODEL_GRAPH) {
                newModel.message(MODEL_GRAPH, newGraph);
            } else {
                newModel.copy(model);
            }
        }
        return newModel.toByteArray();
    }

    /** The nodes, the float initializers' names and the hidden-state output of a graph, in one pass. */
    private static Survey survey(ProtoReader graph) {
        Survey survey = new Survey();
        boolean hasMask = false;
        while (graph.next()) {
            switch (graph.field()) {
                case GRAPH_NODE -> survey.nodes.add(OnnxWeights.readNode(graph.nested()));
                case GRAPH_INITIALIZER -> {
                    ProtoReader tensor = graph.nested();
                    String name = null;
                    long dataType = 0;
                    while (tensor.next()) {
                        if (tensor.field() == TENSOR_NAME) {
                            name = tensor.string();
                        } else if (tensor.field() == TENSOR_DATA_TYPE) {
                            dataType = tensor.varint();
                        }
                    }
                    if (dataType == FLOAT) {
                        survey.floatInitializers.add(name);
                    }
                }
                case GRAPH_INPUT -> hasMask |= ATTENTION_MASK.equals(valueName(graph.nested()));
                case GRAPH_OUTPUT -> {
                    if (survey.hiddenState == null) {
                        survey.hiddenState = valueName(graph.nested());
                    }
                }
                default -> { }
            }
        }
        if (survey.hiddenState == null || !hasMask) {
            throw new IllegalArgumentException("the base graph needs an " + ATTENTION_MASK
                    + " input and the token states as its first output");
        }
        return survey;
    }

    /** The initializer with its data replaced; its other fields (name, dims, type, doc) are copied. */
    private static ProtoWriter replaced(ProtoReader tensor, OnnxWeights.WeightName name, FloatTensor value) {
        FloatTensor stored = name.transposed() ? value.transpose2d() : value;
        ProtoWriter out = new ProtoWriter(stored.data().length * 4 + 256);
        List<Long> dims = new ArrayList<>();
        while (tensor.next()) {
            switch (tensor.field()) {
                case TENSOR_RAW_DATA, TENSOR_FLOAT_DATA -> { }
                case TENSOR_DIMS -> {
                    if (tensor.wireType() == ProtoReader.VARINT) {
                        dims.add(tensor.varint());
                    } else {
                        Arrays.stream(tensor.packedVarints()).forEach(dims::add);
                    }
                    out.copy(tensor);
                }
                default -> out.copy(tensor);
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        if (!Arrays.equals(shape, stored.shape())) {
            throw new IllegalArgumentException("weight " + name.name() + " has shape " + Arrays.toString(value.shape())
                    + " but the base graph's initializer has " + Arrays.toString(shape)
                    + (name.transposed() ? " (transposed)" : ""));
        }
        return out.bytes(TENSOR_RAW_DATA, littleEndian(stored.data()));
    }

    /** Adds the nodes and initializers after the encoder, in the opset the base graph imports. */
    private static final class Appender {
        private final ProtoWriter graph;
        private final int opset;

        Appender(ProtoWriter graph, int opset) {
            this.graph = graph;
            this.opset = opset;
        }

        /** The mean of the token states over real tokens, as {@link Pooling#MEAN}: sum(h * m) / max(sum(m), 1e-9). */
        String meanPooling(String hidden) {
            String mask = node("Cast", List.of(ATTENTION_MASK), "mask", intAttribute("to", FLOAT));
            String mask3 = withAxes("Unsqueeze", mask, "mask_unsqueezed", 2, null);
            String masked = node("Mul", List.of(hidden, mask3), "masked_states");
            String sum = withAxes("ReduceSum", masked, "state_sum", 1, intAttribute("keepdims", 0));
            String count = withAxes("ReduceSum", mask3, "token_count", 1, intAttribute("keepdims", 0));
            String floor = initializer("count_floor", new long[0], FLOAT, floatBytes(1e-9f));
            String clamped = node("Max", List.of(count, floor), "token_count_clamped");
            return node("Div", List.of(sum, clamped), "pooled");
        }

        /** The first token's state ([CLS]), as {@link Pooling#CLS}. */
        String clsPooling(String hidden) {
            String first = initializer("first_token", new long[0], INT64, longBytes(0));
            return node("Gather", List.of(hidden, first), "pooled", intAttribute("axis", 1));
        }

        /** logits = pooled · Wᵀ + b (Gemm with transB, W kept as [labels, hidden]); probabilities = softmax(logits). */
        void head(String pooled, FloatTensor weight, FloatTensor bias) {
            String w = initializer(ClassifierNetwork.HEAD_WEIGHT, weight.shape(), FLOAT, littleEndian(weight.data()));
            String b = initializer(ClassifierNetwork.HEAD_BIAS, bias.shape(), FLOAT, littleEndian(bias.data()));
            graph.message(GRAPH_NODE, nodeProto("Gemm", List.of(pooled, w, b), LOGITS, intAttribute("transB", 1)));
            // The input is 2-D, so axis 1 means the same before opset 13 (coerced to 2-D) and after (one axis).
            graph.message(GRAPH_NODE, nodeProto("Softmax", List.of(LOGITS), PROBABILITIES, intAttribute("axis", 1)));
        }

        private String withAxes(String op, String input, String output, long axis, ProtoWriter extra) {
            List<ProtoWriter> attributes = new ArrayList<>();
            if (extra != null) {
                attributes.add(extra);
            }
            List<String> inputs = new ArrayList<>(List.of(input));
            if (opset >= AXES_AS_INPUT_OPSET) {
                inputs.add(initializer(output + "_axes", new long[] {1}, INT64, longBytes(axis)));
            } else {
                attributes.add(intsAttribute("axes", axis));
            }
            return node(op, inputs, output, attributes.toArray(ProtoWriter[]::new));
        }

        private String node(String op, List<String> inputs, String output, ProtoWriter... attributes) {
            String name = PREFIX + output;
            graph.message(GRAPH_NODE, nodeProto(op, inputs, name, attributes));
            return name;
        }

        private String initializer(String name, long[] dims, int dataType, byte[] raw) {
            String full = name.startsWith("classifier.") ? name : PREFIX + name;
            ProtoWriter tensor = new ProtoWriter(raw.length + 64);
            for (long d : dims) {
                tensor.varint(TENSOR_DIMS, d);
            }
            tensor.varint(TENSOR_DATA_TYPE, dataType).string(TENSOR_NAME, full).bytes(TENSOR_RAW_DATA, raw);
            graph.message(GRAPH_INITIALIZER, tensor);
            return full;
        }
    }

    private static ProtoWriter nodeProto(String op, List<String> inputs, String output, ProtoWriter... attributes) {
        ProtoWriter node = new ProtoWriter();
        inputs.forEach(i -> node.string(NODE_INPUT, i));
        node.string(NODE_OUTPUT, output).string(NODE_NAME, output + "/" + op).string(NODE_OP_TYPE, op);
        for (ProtoWriter a : attributes) {
            node.message(NODE_ATTRIBUTE, a);
        }
        return node;
    }

    private static ProtoWriter intAttribute(String name, long value) {
        return new ProtoWriter().string(ATTRIBUTE_NAME, name).varint(ATTRIBUTE_I, value).varint(ATTRIBUTE_TYPE, ATTRIBUTE_INT);
    }

    private static ProtoWriter intsAttribute(String name, long value) {
        return new ProtoWriter().string(ATTRIBUTE_NAME, name).varint(ATTRIBUTE_INTS, value)
                .varint(ATTRIBUTE_TYPE, ATTRIBUTE_INTS_TYPE);
    }

    /** A float [batch_size, labels] graph output. */
    private static ProtoWriter output(String name, int labels) {
        ProtoWriter shape = new ProtoWriter()
                .message(SHAPE_DIM, new ProtoWriter().string(DIM_PARAM, BATCH))
                .message(SHAPE_DIM, new ProtoWriter().varint(DIM_VALUE, labels));
        ProtoWriter tensorType = new ProtoWriter().varint(TENSOR_TYPE_ELEM, FLOAT).message(TENSOR_TYPE_SHAPE, shape);
        return new ProtoWriter().string(VALUE_NAME, name)
                .message(VALUE_TYPE, new ProtoWriter().message(TYPE_TENSOR, tensorType));
    }

    private static int defaultDomainVersion(ProtoReader opset) {
        String domain = "";
        long version = 0;
        while (opset.next()) {
            if (opset.field() == OPSET_DOMAIN) {
                domain = opset.string();
            } else if (opset.field() == OPSET_VERSION) {
                version = opset.varint();
            }
        }
        return domain.isEmpty() || domain.equals("ai.onnx") ? (int) version : 0;
    }

    private static String tensorName(ProtoReader tensor) {
        while (tensor.next()) {
            if (tensor.field() == TENSOR_NAME) {
                return tensor.string();
            }
        }
        return "";
    }

    private static String valueName(ProtoReader value) {
        while (value.next()) {
            if (value.field() == VALUE_NAME) {
                return value.string();
            }
        }
        return null;
    }

    private static FloatTensor require(Map<String, FloatTensor> weights, String name) {
        FloatTensor t = weights.get(name);
        if (t == null) {
            throw new IllegalArgumentException("missing weight " + name);
        }
        return t;
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    private static byte[] floatBytes(float value) {
        return littleEndian(new float[] {value});
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }

    private static final class Survey {
        final List<OnnxWeights.Node> nodes = new ArrayList<>();
        final List<String> floatInitializers = new ArrayList<>();
        String hiddenState;
    }
}

package dev.finetune.ml.classifier;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.onnx.ClassifierGraph;
import dev.finetune.ml.packaging.ModelMetadata;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.ml.tokenizer.TextTokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A package's classifier run by ONNX Runtime instead of libtorch: the graph of its ONNX export
 * ({@link ClassifierGraph}: the package's weights, its pooling, head and softmax), the package's tokenizer and the
 * same length-sorted batches as {@link TextClassifier}, so the same probabilities within 1e-4 (OnnxExportTests).
 * ONNX Runtime's graph optimisations (fused attention, layer norm and GELU) are what it may win by; bench/predict.sh
 * measures both engines side by side. A session is safe to call from several threads.
 */
public final class OnnxClassifier implements Classifier {

    private static final int BATCH_SIZE = 32;
    private static final int MAX_THREADS = 64;

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final TextTokenizer tokenizer;
    private final List<String> labels;

    private OnnxClassifier(OrtEnvironment environment, OrtSession session, TextTokenizer tokenizer, List<String> labels) {
        this.environment = environment;
        this.session = session;
        this.tokenizer = tokenizer;
        this.labels = labels;
    }

    /**
     * Builds the package's graph and opens it with every graph optimisation, {@code intraOpThreads} threads per call
     * (1..64) and none across operators (a BERT graph is a chain).
     */
    public static OnnxClassifier load(ModelPackage modelPackage, int intraOpThreads) {
        if (intraOpThreads < 1 || intraOpThreads > MAX_THREADS) {
            throw new IllegalArgumentException("intra-op threads must be within 1.." + MAX_THREADS + ", was "
                    + intraOpThreads);
        }
        ModelMetadata metadata = modelPackage.metadata();
        byte[] graph = ClassifierGraph.build(BaseModel.describe(metadata.baseModel()).readOnnx(),
                modelPackage.weights(), metadata.architecture().pooling());
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        TextTokenizer tokenizer = TextTokenizer.fromJson(modelPackage.tokenizerJson(), metadata.maxLength());
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            return new OnnxClassifier(environment, environment.createSession(graph, options), tokenizer,
                    List.copyOf(metadata.labels()));
        } catch (OrtException e) {
            tokenizer.close();
            throw new IllegalStateException("ONNX Runtime cannot open the graph of package " + modelPackage.sha256()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    @Override
    public float[][] probabilities(List<String> texts) {
        return LengthBatches.score(tokenizer.encode(texts), BATCH_SIZE, this::score);
    }

    /** One batch, each row padded to the batch's longest with its mask saying which tokens are real. */
    private float[][] score(List<long[]> batch) {
        int longest = batch.stream().mapToInt(ids -> ids.length).max().orElse(0);
        long[][] ids = new long[batch.size()][longest];
        long[][] mask = new long[batch.size()][longest];
        for (int i = 0; i < batch.size(); i++) {
            System.arraycopy(batch.get(i), 0, ids[i], 0, batch.get(i).length);
            Arrays.fill(mask[i], 0, batch.get(i).length, 1);
        }
        try (OnnxTensor inputIds = OnnxTensor.createTensor(environment, ids);
                OnnxTensor attentionMask = OnnxTensor.createTensor(environment, mask);
                OnnxTensor tokenTypes = OnnxTensor.createTensor(environment, new long[batch.size()][longest]);
                OrtSession.Result result = session.run(Map.of("input_ids", inputIds, "attention_mask", attentionMask,
                        "token_type_ids", tokenTypes), Set.of(ClassifierGraph.PROBABILITIES))) {
            return (float[][]) result.get(ClassifierGraph.PROBABILITIES).orElseThrow().getValue();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + batch.size() + " texts: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close the ONNX Runtime session: " + e.getMessage(), e);
        } finally {
            tokenizer.close();
        }
    }
}

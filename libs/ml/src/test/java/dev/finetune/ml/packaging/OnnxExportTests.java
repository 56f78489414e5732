package dev.finetune.ml.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.classifier.ClassifierNetwork;
import dev.finetune.ml.classifier.OnnxClassifier;
import dev.finetune.ml.classifier.TextClassifier;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.onnx.ClassifierGraph;
import dev.finetune.ml.onnx.OnnxWeights;
import dev.finetune.ml.testing.TopicData;
import dev.finetune.ml.tokenizer.TextTokenizer;
import dev.finetune.ml.train.TrainingConfig;
import dev.finetune.ml.weights.FloatTensor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The ONNX export of a classifier scores like the platform: every encoder weight perturbed and a random head,
 * exported; the graph holds exactly the package's weights (none of the base model's), and run in ONNX Runtime on
 * padded batches of texts of varied lengths its probabilities equal the platform's within 1e-4, for every base
 * model of the catalog.
 */
class OnnxExportTests {

    private static final List<String> LABELS = List.of("food", "sports", "weather");
    private static final int MAX_LENGTH = 128;
    private static final int BATCH = 8;
    private static final double TOLERANCE = 1e-4;

    static List<String> baseModels() {
        return BaseModel.catalog().stream().map(BaseModel.Description::name).toList();
    }

    @ParameterizedTest
    @MethodSource("baseModels")
    void onnxRuntimeMatchesThePlatformsProbabilities(String baseModel) throws Exception {
        BaseModel base = BaseModel.named(baseModel);
        Random random = new Random(15);
        Map<String, FloatTensor> head = randomHead(base.config().hiddenSize(), random);
        ModelPackage tuned = modelPackage(base, perturbed(base.weights(), random), head);
        assertThat(tuned.weights().get("encoder.layer.0.attention.self.query.weight").data())
                .isNotEqualTo(base.weights().get("encoder.layer.0.attention.self.query.weight").data());
        List<String> texts = texts();

        float[][] platform;
        try (TextClassifier classifier = TextClassifier.load(tuned)) {
            platform = classifier.probabilities(texts);
        }

        Map<String, byte[]> bundle = unzip(OnnxExport.of(tuned, "topics", 3, Map.of("accuracy", 0.9)));
        assertThat(bundle).containsOnlyKeys(OnnxExport.MODEL, OnnxExport.TOKENIZER, OnnxExport.LABELS, OnnxExport.MODEL_CARD);
        // Read back as the platform reads a base model: every weight is the package's, bit for bit, none the base's.
        Map<String, FloatTensor> inGraph = OnnxWeights.parse(bundle.get(OnnxExport.MODEL)).tensors();
        Map<String, FloatTensor> inPackage = tuned.weights();
        assertThat(inGraph.keySet().stream().filter(name -> !name.startsWith("/classifier/")).toList())
                .as("weights in the graph, besides the pooling's own constants").containsExactlyInAnyOrderElementsOf(inPackage.keySet());
        inPackage.forEach((name, tensor) -> {
            assertThat(inGraph.get(name).shape()).as(name).isEqualTo(tensor.shape());
            assertThat(inGraph.get(name).data()).as(name).isEqualTo(tensor.data());
        });
        ModelCard card = Json.GSON.fromJson(text(bundle.get(OnnxExport.MODEL_CARD)), ModelCard.class);
        assertThat(card.model()).isEqualTo("topics");
        assertThat(card.version()).isEqualTo(3);
        assertThat(card.baseModel()).isEqualTo(baseModel);
        assertThat(card.datasetVersion()).isEqualTo("topics@v1");
        assertThat(card.hyperparameters().learningRate()).isEqualTo(tuned.metadata().hyperparameters().learningRate());
        assertThat(card.validationMetrics()).containsEntry("accuracy", 0.875);
        assertThat(card.testMetrics()).containsEntry("accuracy", 0.9);
        assertThat(card.packageContentSha256()).isEqualTo(tuned.sha256());
        assertThat(Json.GSON.fromJson(text(bundle.get(OnnxExport.LABELS)), String[].class)).containsExactlyElementsOf(LABELS);
        JsonObject tokenizerJson = JsonParser.parseString(text(bundle.get(OnnxExport.TOKENIZER))).getAsJsonObject();
        assertThat(tokenizerJson.getAsJsonObject("padding").get("strategy").getAsString()).isEqualTo("BatchLongest");
        assertThat(tokenizerJson.getAsJsonObject("truncation").get("max_length").getAsInt()).isEqualTo(MAX_LENGTH);

        List<long[]> ids;
        try (TextTokenizer exported = TextTokenizer.fromJson(bundle.get(OnnxExport.TOKENIZER), MAX_LENGTH);
                TextTokenizer packaged = TextTokenizer.fromJson(tuned.tokenizerJson(), MAX_LENGTH)) {
            ids = exported.encode(texts);
            List<long[]> expected = packaged.encode(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertThat(ids.get(i)).as("tokens of text %d", i).isEqualTo(expected.get(i));
            }
        }
        float[][] onnx = runInOnnxRuntime(bundle.get(OnnxExport.MODEL), ids);

        double difference = maxAbsDifference(onnx, platform);
        System.out.printf("ONNX export of %s: max abs difference in probabilities %.3g over %d texts%n",
                baseModel, difference, texts.size());
        assertThat(difference).isLessThanOrEqualTo(TOLERANCE);

        // The platform's own ONNX Runtime path (every graph optimisation on, its batching) scores alike.
        try (OnnxClassifier served = OnnxClassifier.load(tuned, 2)) {
            assertThat(served.labels()).containsExactlyElementsOf(LABELS);
            double servedDifference = maxAbsDifference(served.probabilities(texts), platform);
            System.out.printf("OnnxClassifier of %s: max abs difference %.3g%n", baseModel, servedDifference);
            assertThat(servedDifference).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    /** Batches of {@value #BATCH} texts, each padded to its longest, as a client would send them. */
    private static float[][] runInOnnxRuntime(byte[] model, List<long[]> ids) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[][] out = new float[ids.size()][];
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions())) {
            assertThat(session.getOutputNames()).containsExactly(ClassifierGraph.LOGITS, ClassifierGraph.PROBABILITIES);
            for (int start = 0; start < ids.size(); start += BATCH) {
                List<long[]> chunk = ids.subList(start, Math.min(ids.size(), start + BATCH));
                int longest = chunk.stream().mapToInt(a -> a.length).max().orElseThrow();
                long[][] inputIds = new long[chunk.size()][longest];
                long[][] mask = new long[chunk.size()][longest];
                for (int i = 0; i < chunk.size(); i++) {
                    System.arraycopy(chunk.get(i), 0, inputIds[i], 0, chunk.get(i).length);
                    java.util.Arrays.fill(mask[i], 0, chunk.get(i).length, 1);
                }
                try (OnnxTensor a = OnnxTensor.createTensor(env, inputIds);
                        OnnxTensor b = OnnxTensor.createTensor(env, mask);
                        OnnxTensor c = OnnxTensor.createTensor(env, new long[chunk.size()][longest]);
                        OrtSession.Result result = session.run(
                                Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
                    float[][] probabilities = (float[][]) result.get(ClassifierGraph.PROBABILITIES).orElseThrow().getValue();
                    float[][] logits = (float[][]) result.get(ClassifierGraph.LOGITS).orElseThrow().getValue();
                    assertThat(logits[0]).hasSize(LABELS.size());
                    System.arraycopy(probabilities, 0, out, start, chunk.size());
                }
            }
        }
        return out;
    }

    private static ModelPackage modelPackage(BaseModel base, Map<String, FloatTensor> encoder, Map<String, FloatTensor> head) {
        Map<String, FloatTensor> weights = new LinkedHashMap<>(encoder);
        weights.putAll(head);
        TrainingConfig config = TrainingConfig.defaults().withMaxLength(MAX_LENGTH).withDatasetVersion("topics@v1");
        ModelMetadata metadata = new ModelMetadata(ModelMetadata.FORMAT_VERSION, base.name(), base.config(), LABELS,
                MAX_LENGTH, config, "topics@v1", 42, 1, Map.of("accuracy", 0.875), "2026-12-03T00:00:00Z");
        return ModelPackage.create(metadata, weights, base.tokenizerJson(), null, null);
    }

    /** Each weight times 1 ± up to 10%: a different model of the same scale, as fine-tuning makes. */
    private static Map<String, FloatTensor> perturbed(Map<String, FloatTensor> weights, Random random) {
        Map<String, FloatTensor> out = new TreeMap<>();
        weights.forEach((name, tensor) -> {
            float[] data = tensor.data().clone();
            for (int i = 0; i < data.length; i++) {
                data[i] *= 0.9f + 0.2f * random.nextFloat();
            }
            out.put(name, new FloatTensor(tensor.shape(), data));
        });
        return out;
    }

    private static Map<String, FloatTensor> randomHead(int hidden, Random random) {
        float[] w = new float[LABELS.size() * hidden];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian() * 0.3f;
        }
        float[] b = {0.1f, -0.2f, 0.05f};
        return Map.of(ClassifierNetwork.HEAD_WEIGHT, new FloatTensor(new long[] {LABELS.size(), hidden}, w),
                ClassifierNetwork.HEAD_BIAS, new FloatTensor(new long[] {LABELS.size()}, b));
    }

    /** A test split of generated texts plus edge cases: one token, empty, accents, a text past the max length. */
    private static List<String> texts() {
        List<String> texts = new ArrayList<>(TopicData.generate(24, 21).stream().map(Example::text).toList());
        texts.addAll(List.of("", "a", "Crème brûlée, façade, naïve café — déjà vu!", "Tokyo 東京 is large; Москва is cold.",
                "UPPER CASE SHOUTING TEXT", "emoji 😀 and symbols ©®™",
                "A long review. " + "The match was cancelled by heavy rain, so we went for a spicy curry instead. ".repeat(15)));
        return texts;
    }

    private static double maxAbsDifference(float[][] a, float[][] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            for (int k = 0; k < a[i].length; k++) {
                max = Math.max(max, Math.abs(a[i][k] - b[i][k]));
            }
        }
        return max;
    }

    private static Map<String, byte[]> unzip(OnnxExport export) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        export.writeTo(bytes);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                entries.put(e.getName(), zip.readAllBytes());
            }
        }
        return entries;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

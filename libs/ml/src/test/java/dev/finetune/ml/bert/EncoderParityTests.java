package dev.finetune.ml.bert;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.tokenizer.TextTokenizer;

import java.io.InputStream;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our DJL encoder against the original ONNX graph in ONNX Runtime, for every base model of the catalog: same
 * sentences, same tokens, L2-normalised embeddings (pooled as the model pools: mean for MiniLM, [CLS] for BGE)
 * equal to 1e-4.
 */
class EncoderParityTests {

    static final List<String> SENTENCES = List.of(
            "Hello world",
            "a",
            "!",
            "   ",
            "The quick brown fox jumps over the lazy dog.",
            "Crème brûlée, façade, naïve café — déjà vu!",
            "Ünïcödé àccents and ß in Straße",
            "Tokyo 東京 is large; Москва is cold.",
            "What?!?! No way... really??",
            "email me at someone@example.com or call +1 (555) 010-9999",
            "The service was terrible and the food arrived cold, I will never come back.",
            "Absolutely loved it, five stars!!!",
            "$100 off, 50% discount, #1 product @ store",
            "emoji 😀 and symbols ©®™",
            "UPPER CASE SHOUTING TEXT",
            "numbers 1234567890 3.14159 1e-10",
            "tab\tseparated\nnew line text",
            "don't can't won't shouldn't",
            "supercalifragilisticexpialidocious antidisestablishmentarianism",
            "ok",
            "A long review. " + "The product worked as described and shipping was fast, but the packaging "
                    + "was damaged and customer support took a week to answer my questions about the warranty. "
                    .repeat(20),
            "Short.",
            "x y z");

    static List<String> baseModels() {
        return BaseModel.catalog().stream().map(BaseModel.Description::name).toList();
    }

    @ParameterizedTest
    @MethodSource("baseModels")
    void djlEncoderMatchesOnnxRuntime(String name) throws Exception {
        BaseModel base = BaseModel.named(name);
        BaseModel.Description description = BaseModel.catalog().stream().filter(d -> d.name().equals(name))
                .findFirst().orElseThrow();
        int maxLength = 256;
        float[][] ours;
        try (SentenceEncoder encoder = SentenceEncoder.create(base, maxLength)) {
            ours = encoder.embed(SENTENCES, 8);
        }
        List<long[]> ids;
        try (TextTokenizer tokenizer = TextTokenizer.fromJson(base.tokenizerJson(), maxLength)) {
            ids = tokenizer.encode(SENTENCES);
        }
        assertThat(ids.get(20).length).as("the long sentence is truncated").isEqualTo(maxLength);
        assertThat(ids.get(0).length).as("no fixed padding to 128").isLessThan(10);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] onnx;
        try (InputStream in = BaseModel.class.getResourceAsStream(description.onnx())) {
            onnx = in.readAllBytes();
        }
        double maxDiff = 0;
        try (OrtSession session = env.createSession(onnx, new OrtSession.SessionOptions())) {
            for (int s = 0; s < SENTENCES.size(); s++) {
                long[] tokenIds = ids.get(s);
                long[][] input = {tokenIds};
                long[][] mask = {ones(tokenIds.length)};
                long[][] types = {new long[tokenIds.length]};
                try (OnnxTensor a = OnnxTensor.createTensor(env, input);
                        OnnxTensor b = OnnxTensor.createTensor(env, mask);
                        OnnxTensor c = OnnxTensor.createTensor(env, types);
                        OrtSession.Result result = session.run(
                                Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
                    float[][][] hidden = (float[][][]) result.get(0).getValue();
                    float[] expected = normalise(description.pooling() == Pooling.CLS ? hidden[0][0] : mean(hidden[0]));
                    float[] actual = normalise(ours[s]);
                    for (int i = 0; i < expected.length; i++) {
                        maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
                    }
                }
            }
        }
        System.out.printf("parity %s: max abs difference %.3g over %d sentences%n", name, maxDiff, SENTENCES.size());
        assertThat(maxDiff).isLessThan(1e-4);
    }

    private static long[] ones(int n) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }

    private static float[] mean(float[][] tokens) {
        float[] m = new float[tokens[0].length];
        for (float[] t : tokens) {
            for (int i = 0; i < m.length; i++) {
                m[i] += t[i] / tokens.length;
            }
        }
        return m;
    }

    static float[] normalise(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * inv;
        }
        return out;
    }
}

package dev.finetune.bench;

import com.google.gson.Gson;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.classifier.OnnxClassifier;
import dev.finetune.ml.classifier.TextClassifier;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.ml.runtime.MatmulPrecision;
import dev.finetune.ml.runtime.Precision;
import dev.finetune.ml.train.FineTuner;
import dev.finetune.ml.train.Strategy;
import dev.finetune.ml.train.TrainingConfig;
import dev.finetune.ml.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The inference engines side by side on one fine-tuned model, in one run: libtorch in fp32, libtorch with bf16
 * matrix products (where the CPU has native bf16) and ONNX Runtime on the model's ONNX graph with every graph
 * optimisation. For each: texts per second at batch 32 over the test file, the latency of one text (p50, p95),
 * test accuracy and the largest difference from libtorch fp32's probabilities. Tokenising is inside every figure,
 * as it is in serving. Prints one JSON line per engine, then a markdown table; progress on stderr.
 */
public final class PredictBenchmark {

    private static final int BATCH = 32;
    private static final int LATENCY_SAMPLES = 300;

    private PredictBenchmark() {}

    public static void main(String[] argv) {
        Args args = Args.parse(argv);
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(args.threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        System.setProperty("ai.djl.offline", "true");
        List<Example> train = Jsonl.read(args.train);
        List<Example> test = Jsonl.read(args.test);
        List<String> texts = test.stream().map(Example::text).toList();

        TrainingConfig config = TrainingConfig.defaults().withStrategy(Strategy.FULL).withBatchSize(BATCH)
                .withMaxLength(args.maxLength).withMaxSteps(args.maxSteps).withEarlyStoppingPatience(0)
                .withDatasetVersion(args.train.getFileName().toString());
        System.err.printf("fine-tuning %s for %d steps on %s ...%n", args.baseModel, args.maxSteps, args.train);
        ModelPackage tuned = FineTuner.train(BaseModel.named(args.baseModel), config, train, List.of(),
                TrainingListener.NONE).finalPackage();
        List<String> labels = tuned.metadata().labels();

        List<Map<String, Object>> rows = new ArrayList<>();
        float[][] reference;
        MatmulPrecision.apply(Precision.FP32);
        try (TextClassifier libtorch = TextClassifier.load(tuned)) {
            reference = libtorch.probabilities(texts);
            rows.add(measure("libtorch fp32", libtorch::probabilities, test, labels, reference, args.seconds));
            if (MatmulPrecision.apply(Precision.BF16_MATMUL) == Precision.BF16_MATMUL) {
                rows.add(measure("libtorch bf16-matmul", libtorch::probabilities, test, labels, reference,
                        args.seconds));
            } else {
                System.err.println("libtorch bf16-matmul: not measured (no native bf16 on this CPU)");
            }
            MatmulPrecision.apply(Precision.FP32);
        }
        try (OnnxClassifier onnx = OnnxClassifier.load(tuned, args.threads)) {
            rows.add(measure("onnxruntime", onnx::probabilities, test, labels, reference, args.seconds));
        }

        Gson gson = new Gson();
        rows.forEach(row -> System.out.println(gson.toJson(row)));
        System.out.printf("%n| engine | texts/s at batch %d | p50 ms (1 text) | p95 ms (1 text) | test accuracy | max abs diff vs fp32 |%n",
                BATCH);
        System.out.println("|---|---|---|---|---|---|");
        for (Map<String, Object> row : rows) {
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.2f | %.2f | %.4f | %.2g |%n", row.get("engine"),
                    row.get("texts_per_s"), row.get("p50_ms"), row.get("p95_ms"), row.get("test_accuracy"),
                    row.get("max_abs_diff_vs_fp32"));
        }
    }

    private static Map<String, Object> measure(String engine, Function<List<String>, float[][]> scorer,
            List<Example> test, List<String> labels, float[][] reference, double seconds) {
        List<String> texts = test.stream().map(Example::text).toList();
        System.err.printf("%s: warming up, then %.0f s of batches and %d single texts ...%n", engine, seconds,
                Math.min(LATENCY_SAMPLES, texts.size()));
        scorer.apply(texts.subList(0, Math.min(4 * BATCH, texts.size())));
        float[][] probabilities = scorer.apply(texts);

        long scored = 0;
        long started = System.nanoTime();
        long deadline = started + (long) (seconds * 1e9);
        for (int i = 0; System.nanoTime() < deadline; i = (i + BATCH) % texts.size()) {
            List<String> batch = texts.subList(i, Math.min(texts.size(), i + BATCH));
            scorer.apply(batch);
            scored += batch.size();
        }
        double throughput = scored / ((System.nanoTime() - started) / 1e9);

        double[] latencies = new double[Math.min(LATENCY_SAMPLES, texts.size())];
        for (int i = 0; i < latencies.length; i++) {
            long t0 = System.nanoTime();
            scorer.apply(List.of(texts.get(i)));
            latencies[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(latencies);

        Map<String, Object> row = new LinkedHashMap<>();
        row.put("engine", engine);
        row.put("texts_per_s", throughput);
        row.put("p50_ms", latencies[latencies.length / 2]);
        row.put("p95_ms", latencies[(int) Math.min(latencies.length - 1, Math.round(latencies.length * 0.95))]);
        row.put("test_accuracy", accuracy(probabilities, test, labels));
        row.put("max_abs_diff_vs_fp32", maxAbsDifference(probabilities, reference));
        row.put("test_texts", texts.size());
        return row;
    }

    private static double accuracy(float[][] probabilities, List<Example> test, List<String> labels) {
        int correct = 0;
        for (int i = 0; i < probabilities.length; i++) {
            int best = 0;
            for (int k = 1; k < probabilities[i].length; k++) {
                if (probabilities[i][k] > probabilities[i][best]) {
                    best = k;
                }
            }
            if (labels.get(best).equals(test.get(i).label())) {
                correct++;
            }
        }
        return (double) correct / probabilities.length;
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

    /** Command-line options; see bench/predict.sh. */
    record Args(Path train, Path test, int maxSteps, int maxLength, int threads, double seconds, String baseModel) {

        static Args parse(String[] argv) {
            Map<String, String> o = new LinkedHashMap<>();
            for (int i = 0; i < argv.length; i++) {
                if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                    throw usage("unexpected argument " + argv[i]);
                }
                o.put(argv[i], argv[++i]);
            }
            for (String k : o.keySet()) {
                if (!List.of("--train", "--test", "--max-steps", "--max-len", "--threads", "--seconds", "--base-model")
                        .contains(k)) {
                    throw usage("unknown option " + k);
                }
            }
            if (!o.containsKey("--train") || !o.containsKey("--test")) {
                throw usage("--train and --test are required");
            }
            Args args = new Args(Path.of(o.get("--train")), Path.of(o.get("--test")),
                    Integer.parseInt(o.getOrDefault("--max-steps", "60")),
                    Integer.parseInt(o.getOrDefault("--max-len", "64")),
                    Integer.parseInt(o.getOrDefault("--threads", "2")),
                    Double.parseDouble(o.getOrDefault("--seconds", "10")),
                    o.getOrDefault("--base-model", BaseModel.MINILM_NAME));
            if (args.maxSteps < 1 || args.maxSteps > 100_000 || args.threads < 1 || args.threads > 64
                    || args.seconds <= 0 || args.seconds > 3600) {
                throw usage("--max-steps 1..100000, --threads 1..64, --seconds above 0 and at most 3600");
            }
            return args;
        }

        private static IllegalArgumentException usage(String problem) {
            return new IllegalArgumentException(problem + "\nusage: predict.sh --train FILE --test FILE [--max-steps 60] "
                    + "[--max-len 64] [--threads 2] [--seconds 10] [--base-model NAME]");
        }
    }
}

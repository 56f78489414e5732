package dev.finetune.bench;

import com.google.gson.Gson;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.runtime.MatmulPrecision;
import dev.finetune.ml.runtime.Precision;
import dev.finetune.ml.bert.SentenceEncoder;
import dev.finetune.ml.classifier.TextClassifier;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.eval.EvaluationMetrics;
import dev.finetune.ml.eval.Evaluator;
import dev.finetune.ml.train.FineTuner;
import dev.finetune.ml.train.Strategy;
import dev.finetune.ml.train.TrainingConfig;
import dev.finetune.ml.train.TrainingListener;
import dev.finetune.ml.train.TrainingProgress;
import dev.finetune.ml.train.TrainingResult;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Fine-tunes the shipped MiniLM on local JSONL files through the same {@link FineTuner} the services
 * call, evaluates on the test file and prints, as its last line, one JSON object of speed, accuracy
 * and memory figures. Progress goes to stderr.
 */
public final class FineTuneBenchmark {

    private static final int[] RSS_STEPS = {10, 100, 1000};

    private FineTuneBenchmark() {}

    public static void main(String[] argv) {
        Args args = Args.parse(argv);
        if (args.threads > 0) {
            // Read once when the PyTorch engine starts, which has not happened yet.
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(args.threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        System.setProperty("ai.djl.offline", "true");
        List<Example> train = Jsonl.read(args.train);
        List<Example> test = Jsonl.read(args.test);
        Map<String, Object> out = run(args, train, test);
        System.out.println(new Gson().toJson(out));
    }

    static Map<String, Object> run(Args args, List<Example> train, List<Example> test) {
        long wall0 = System.nanoTime();
        BaseModel base = BaseModel.named(args.baseModel);
        Precision precision = MatmulPrecision.apply(args.precision);
        TrainingConfig config = TrainingConfig.defaults()
                .withStrategy(args.strategy)
                .withLastLayers(args.lastLayers)
                .withEpochs(args.epochs)
                .withBatchSize(args.batch)
                .withMaxLength(args.maxLength)
                .withLearningRate(args.learningRate)
                .withHeadLearningRate(args.headLearningRate)
                .withMaxSteps(args.maxSteps)
                .withSeed(args.seed)
                .withRandomInit(args.fromScratch)
                .withEarlyStoppingPatience(0) // no validation split: train the planned steps, like the peer
                .withDatasetVersion(args.train.getFileName().toString());

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("impl", "djl-pytorch " + ai.djl.engine.Engine.getEngine("PyTorch").getVersion());
        out.put("strategy", args.strategy.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        out.put("from_scratch", args.fromScratch);
        out.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        out.put("train_examples", train.size());
        out.put("test_examples", test.size());
        out.put("epochs", args.epochs);
        out.put("batch", args.batch);
        out.put("max_len", args.maxLength);
        out.put("lr", args.strategy == Strategy.HEAD ? args.headLearningRate : args.learningRate);
        out.put("seed", args.seed);
        out.put("precision", precision.label());
        out.put("base_model", base.name());

        if (args.strategy == Strategy.HEAD) {
            // The head strategy's cost is one embedding pass over the data; measure it on its own.
            List<String> texts = train.stream().map(Example::text).toList();
            try (SentenceEncoder encoder = SentenceEncoder.create(base, args.maxLength)) {
                encoder.embed(texts.subList(0, Math.min(64, texts.size())), args.batch); // warm-up
                long t0 = System.nanoTime();
                encoder.embed(texts, args.batch);
                double seconds = (System.nanoTime() - t0) / 1e9;
                out.put("embed_sentences_per_s", round(texts.size() / seconds, 1));
            }
        }

        ProgressListener listener = new ProgressListener();
        long t0 = System.nanoTime();
        TrainingResult result = FineTuner.train(base, config, train, List.of(), listener);
        double fitSeconds = (System.nanoTime() - t0) / 1e9;

        out.put("steps", result.steps());
        out.put("train_seconds", round(result.trainSeconds(), 2));
        out.put("train_samples_per_s", round(result.samplesPerSecond(), 2));
        out.put("train_tokens_per_s", round(result.tokensPerSecond(), 1));
        // Everything FineTuner.train did: tokenising, loading weights, (head: embedding), training, packaging.
        out.put("fit_seconds", round(fitSeconds, 2));
        out.put("first_loss", round(result.losses().get(0), 4));
        out.put("last_loss", round(result.losses().get(result.losses().size() - 1), 4));

        try (TextClassifier classifier = TextClassifier.load(result.finalPackage())) {
            long e0 = System.nanoTime();
            EvaluationMetrics metrics = Evaluator.evaluate(classifier, test);
            double evalSeconds = (System.nanoTime() - e0) / 1e9;
            out.put("test_accuracy", round(metrics.accuracy(), 4));
            out.put("test_macro_f1", round(metrics.macroF1(), 4));
            out.put("test_log_loss", round(metrics.logLoss(), 4));
            out.put("test_ece", round(metrics.expectedCalibrationError(), 4));
            out.put("eval_samples_per_s", round(test.size() / evalSeconds, 1));
        }
        listener.rss.forEach((step, mb) -> out.put("rss_mb_step_" + step, round(mb, 1)));
        // Committed Java heap at the same steps: RSS minus this is (about) native memory.
        listener.heap.forEach((step, mb) -> out.put("heap_committed_mb_step_" + step, round(mb, 1)));
        if (listener.rss.containsKey(100) && listener.rss.containsKey(1000)) {
            out.put("rss_growth_100_to_1000_pct",
                    round(100 * (listener.rss.get(1000) - listener.rss.get(100)) / listener.rss.get(100), 2));
        }
        out.put("peak_rss_mb", round(Memory.peakRssMb(), 1));
        out.put("wall_seconds", round((System.nanoTime() - wall0) / 1e9, 1));
        return out;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /** Progress on stderr every 50 steps; resident memory at the steps the memory check compares. */
    private static final class ProgressListener implements TrainingListener {
        final Map<Integer, Double> rss = new LinkedHashMap<>();
        final Map<Integer, Double> heap = new LinkedHashMap<>();

        @Override
        public void onStep(TrainingProgress p) {
            for (int s : RSS_STEPS) {
                if (p.step() == s) {
                    rss.put(s, Memory.rssMb());
                    heap.put(s, Runtime.getRuntime().totalMemory() / 1048576.0);
                }
            }
            if (p.step() % 50 == 0 || p.step() == p.totalSteps()) {
                System.err.printf(Locale.ROOT, "step %d/%d epoch %d loss %.4f %.1f samples/s rss %.0f MB%n", p.step(),
                        p.totalSteps(), p.epoch(), p.loss(), p.samplesPerSecond(), Memory.rssMb());
            }
        }

        @Override
        public boolean wantsCheckpoints() {
            return false; // checkpoints copy the weights; a benchmark measures training
        }
    }

    /** Command-line options; see bench/finetune.sh. */
    record Args(Path train, Path test, Strategy strategy, int lastLayers, int epochs, int batch, int maxLength,
            float learningRate, float headLearningRate, int maxSteps, long seed, boolean fromScratch, int threads,
            Precision precision, String baseModel) {

        static Args parse(String[] argv) {
            Map<String, String> o = new LinkedHashMap<>();
            for (int i = 0; i < argv.length; i++) {
                String a = argv[i];
                if (a.equals("--from-scratch")) {
                    o.put(a, "true");
                } else if (a.startsWith("--") && i + 1 < argv.length) {
                    o.put(a, argv[++i]);
                } else {
                    throw usage("unexpected argument " + a);
                }
            }
            for (String k : o.keySet()) {
                if (!List.of("--train", "--test", "--strategy", "--last-n", "--epochs", "--batch", "--max-len", "--lr",
                        "--head-lr", "--max-steps", "--seed", "--from-scratch", "--threads", "--precision", "--base-model").contains(k)) {
                    throw usage("unknown option " + k);
                }
            }
            if (!o.containsKey("--train") || !o.containsKey("--test")) {
                throw usage("--train and --test are required");
            }
            return new Args(Path.of(o.get("--train")), Path.of(o.get("--test")),
                    Strategy.valueOf(o.getOrDefault("--strategy", "full").toUpperCase(Locale.ROOT).replace('-', '_')),
                    Integer.parseInt(o.getOrDefault("--last-n", "2")),
                    Integer.parseInt(o.getOrDefault("--epochs", "1")),
                    Integer.parseInt(o.getOrDefault("--batch", "32")),
                    Integer.parseInt(o.getOrDefault("--max-len", "64")),
                    Float.parseFloat(o.getOrDefault("--lr", "5e-5")),
                    Float.parseFloat(o.getOrDefault("--head-lr", "1e-3")),
                    Integer.parseInt(o.getOrDefault("--max-steps", "0")),
                    Long.parseLong(o.getOrDefault("--seed", "42")),
                    o.containsKey("--from-scratch"),
                    Integer.parseInt(o.getOrDefault("--threads", "0")),
                    Precision.of(o.getOrDefault("--precision", "fp32")),
                    o.getOrDefault("--base-model", BaseModel.MINILM_NAME));
        }

        private static IllegalArgumentException usage(String problem) {
            return new IllegalArgumentException(problem + "\nusage: finetune.sh --train FILE --test FILE "
                    + "[--strategy full|head|last-n] [--last-n 2] [--epochs 1] [--batch 32] [--max-len 64] [--lr 5e-5] "
                    + "[--head-lr 1e-3] [--max-steps N] [--seed 42] [--from-scratch] [--threads N] [--precision fp32|bf16-matmul|auto] [--base-model NAME]");
        }
    }
}

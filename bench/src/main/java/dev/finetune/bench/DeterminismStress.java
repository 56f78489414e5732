package dev.finetune.bench;

import com.google.gson.GsonBuilder;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.train.FineTuner;
import dev.finetune.ml.train.Strategy;
import dev.finetune.ml.train.TrainingConfig;
import dev.finetune.ml.train.TrainingListener;
import dev.finetune.ml.train.TrainingResult;
import dev.finetune.ml.weights.FloatTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Runs the same short full fine-tuning many times in one JVM and checks that every run is bit-identical
 * to the first (loss of every step, final weights, AdamW moments) and that no step was skipped by the
 * non-finite guard. Run by bench/stress-determinism.sh, which keeps the cores busy meanwhile: the NaN that
 * used to part identical runs at a random step appeared under load (docs/benchmarks.md). Prints one JSON
 * line; exits 1 when a run differs or skipped a step.
 */
public final class DeterminismStress {

    private DeterminismStress() {}

    public static void main(String[] argv) throws InterruptedException {
        Map<String, String> o = options(argv);
        int runs = Integer.parseInt(o.getOrDefault("--runs", "50"));
        int steps = Integer.parseInt(o.getOrDefault("--steps", "20"));
        int threads = Integer.parseInt(o.getOrDefault("--threads", "0"));
        long gcEveryMs = Long.parseLong(o.getOrDefault("--gc-every-ms", "0"));
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        System.setProperty("ai.djl.offline", "true");

        List<Example> train = topics(64, 3);
        TrainingConfig config = TrainingConfig.defaults()
                .withStrategy(Strategy.FULL)
                .withEpochs(1000) // the step cap ends the run
                .withMaxSteps(steps)
                .withBatchSize(8)
                .withMaxLength(32)
                .withLearningRate(1e-4f)
                .withEarlyStoppingPatience(0); // dropout stays on: its masks must repeat too
        BaseModel base = BaseModel.minilm();

        Thread collector = null;
        if (gcEveryMs > 0) {
            // Amplifier: a collection can land anywhere inside a step, as it may under load.
            collector = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    System.gc();
                    try {
                        Thread.sleep(gcEveryMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "gc-storm");
            collector.setDaemon(true);
            collector.start();
        }

        Fingerprint reference = null;
        int differing = 0;
        long skippedSteps = 0;
        int runsWithSkips = 0;
        List<String> problems = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int r = 1; r <= runs; r++) {
            long r0 = System.nanoTime();
            TrainingResult result = FineTuner.train(base, config, train, List.of(), new TrainingListener() {
                @Override
                public boolean wantsCheckpoints() {
                    return false;
                }
            });
            Fingerprint f = Fingerprint.of(result);
            long skipped = result.steps() - result.losses().size();
            skippedSteps += skipped;
            if (skipped > 0) {
                runsWithSkips++;
            }
            String verdict;
            if (reference == null) {
                reference = f;
                verdict = "reference";
            } else {
                String difference = f.differenceFrom(reference);
                verdict = difference == null ? "identical" : "DIFFERS: " + difference;
                if (difference != null) {
                    differing++;
                }
            }
            if (skipped > 0 || verdict.startsWith("DIFFERS")) {
                problems.add("run " + r + ": " + skipped + " skipped, " + verdict);
            }
            System.err.printf(Locale.ROOT, "run %d/%d: %d steps, %d skipped, last loss %s, weights %s, %s (%.1f s)%n",
                    r, runs, result.steps(), skipped,
                    result.losses().isEmpty() ? "-" : Double.toString(result.losses().get(result.losses().size() - 1)),
                    f.weights.substring(0, 12), verdict, (System.nanoTime() - r0) / 1e9);
        }
        if (collector != null) {
            collector.interrupt();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("runs", runs);
        out.put("steps_per_run", steps);
        out.put("identical", differing == 0);
        out.put("differing_runs", differing);
        out.put("skipped_steps", skippedSteps);
        out.put("runs_with_skipped_steps", runsWithSkips);
        out.put("gc_every_ms", gcEveryMs);
        out.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        out.put("reference_last_loss", reference == null || reference.losses.isEmpty() ? null
                : reference.losses.get(reference.losses.size() - 1));
        out.put("reference_weights_sha256", reference == null ? null : reference.weights);
        out.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
        out.put("problems", problems);
        System.out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(out));
        System.exit(differing == 0 && skippedSteps == 0 ? 0 : 1);
    }

    /** What must repeat to the bit: every step's loss, the final weights and the AdamW moments. */
    private record Fingerprint(List<Double> losses, String weights, String moments) {

        static Fingerprint of(TrainingResult result) {
            return new Fingerprint(List.copyOf(result.losses()), sha256(result.finalPackage().weights()),
                    sha256(result.finalPackage().optimizerState()));
        }

        /** Null when identical; else where the two runs first part. */
        String differenceFrom(Fingerprint reference) {
            int n = Math.min(losses.size(), reference.losses.size());
            for (int i = 0; i < n; i++) {
                if (Double.doubleToRawLongBits(losses.get(i)) != Double.doubleToRawLongBits(reference.losses.get(i))) {
                    return "loss " + (i + 1) + " of the finite steps is " + losses.get(i) + ", the reference's "
                            + reference.losses.get(i);
                }
            }
            if (losses.size() != reference.losses.size()) {
                return losses.size() + " finite steps, the reference had " + reference.losses.size();
            }
            if (!weights.equals(reference.weights)) {
                return "same losses, final weights differ";
            }
            if (!moments.equals(reference.moments)) {
                return "same losses and weights, AdamW moments differ";
            }
            return null;
        }
    }

    private static String sha256(Map<String, FloatTensor> tensors) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, FloatTensor> e : tensors.entrySet()) {
                digest.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                float[] data = e.getValue().data();
                ByteBuffer bytes = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
                bytes.asFloatBuffer().put(data);
                digest.update(bytes.array());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Short generated sentences of three topics: no data files needed, the same for every run. */
    private static List<Example> topics(int count, long seed) {
        String[][] phrases = {
            {"the match", "the striker scored", "a late goal", "the coach", "the league table", "the referee"},
            {"heavy rain", "the forecast", "a cold front", "sunny skies", "strong winds", "the storm"},
            {"the pasta", "a spicy curry", "the chef", "fresh bread", "the dessert menu", "grilled fish"},
        };
        String[] labels = {"sports", "weather", "food"};
        String[] frames = {"I heard about %s yesterday.", "Everyone was talking about %s today",
            "%s was the talk of the town", "What do you think of %s?", "Honestly, %s surprised me.", "news: %s"};
        Random random = new Random(seed);
        List<Example> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int label = i % labels.length;
            String phrase = phrases[label][random.nextInt(phrases[label].length)];
            out.add(new Example(String.format(frames[random.nextInt(frames.length)], phrase), labels[label]));
        }
        return out;
    }

    private static Map<String, String> options(String[] argv) {
        List<String> known = List.of("--runs", "--steps", "--threads", "--gc-every-ms");
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!known.contains(argv[i]) || i + 1 >= argv.length) {
                throw new IllegalArgumentException("unexpected argument " + argv[i]
                        + "\nusage: stress-determinism.sh [--runs 50] [--steps 20] [--threads N] [--gc-every-ms 0] [--load N]");
            }
            o.put(argv[i], argv[++i]);
        }
        return o;
    }
}

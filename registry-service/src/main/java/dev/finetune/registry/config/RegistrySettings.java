package dev.finetune.registry.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The {@code registry.*} settings; docs/operations.md lists each with an example. */
@ConfigMapping(prefix = "registry")
public interface RegistrySettings {

    /** The promotion policy of a model that has none of its own (PUT /models/{name}/policy). */
    Policy policy();

    Serving serving();

    Predict predict();

    Batch batch();

    /** Batch predictions (docs/registry-service.md#batch-predictions); each bound is checked at start. */
    interface Batch {
        /** Largest input, uploaded or named by an {@code s3://} URI, in bytes (1 KiB to 64 GiB). */
        @WithDefault("1073741824")
        long maxInputBytes();

        /** Most rows in one input (1 to 1,000,000,000). */
        @WithDefault("10000000")
        long maxRows();

        /** Longest JSON line or CSV field of an input, in bytes (1 KiB to 16 MiB). */
        @WithDefault("262144")
        int maxLineBytes();

        /** Jobs one instance executes at once (1 to 8); each holds a chunk of rows and a version's model. */
        @WithDefault("1")
        int maxConcurrent();

        /** Attempts a job gets when its instance stops or a transient fault stops it (1 to 10). */
        @WithDefault("3")
        int maxAttempts();

        /**
         * How long a running job's heartbeat (renewed every few seconds while it scores) may be silent before another
         * instance takes it over (1 minute to 1 hour): longer than the wait for its model to load.
         */
        @WithDefault("2m")
        Duration staleAfter();

        /** How often an instance looks for jobs created on other instances (1 s to 1 minute); one created here starts at once. */
        @WithDefault("5s")
        Duration pollInterval();
    }

    interface Predict {
        /**
         * Most predictions one instance computes at once; a request beyond them is refused at once (429 with
         * Retry-After) rather than queued, so a burst cannot pile up threads and memory behind a slow model.
         */
        @WithDefault("16")
        int maxConcurrent();
    }

    interface Policy {
        @WithDefault("0.6")
        Optional<Double> minAccuracy();

        @WithDefault("0.5")
        Optional<Double> minMacroF1();

        @WithDefault("0.3")
        Optional<Double> maxEce();

        @WithDefault("2000")
        Optional<Double> maxLatencyP95Ms();

        @WithDefault("0.0")
        Optional<Double> minImprovement();

        @WithDefault("0.05")
        Optional<Double> maxLabelF1Regression();

        @WithDefault("0.05")
        Optional<Double> significanceLevel();
    }

    interface Serving {
        /** Most texts in one predict request. */
        @WithDefault("64")
        int maxBatch();

        /** Longest text accepted, in characters (the model truncates to its token limit anyway). */
        @WithDefault("10000")
        int maxTextChars();

        /**
         * Most versions (of any models) one instance keeps loaded, 1 to 1000; loading one more unloads the least
         * recently used, which loads again when next asked for. Each holds its encoder's weights in native memory.
         */
        @WithDefault("8")
        int maxLoadedVersions();

        /**
         * How long a predict request (and a promotion, before it moves the alias) waits for a version that is not
         * loaded yet; beyond it, 503 with Retry-After (the load goes on). Up to 5 minutes.
         */
        @WithDefault("10s")
        Duration loadTimeout();

        /**
         * What runs a version's inference: {@code onnxruntime} (its ONNX graph, the faster on CPUs: docs/benchmarks.md)
         * or {@code libtorch} (the engine it was trained on); the same probabilities within 1e-4. Set evaluation-service's
         * {@code evaluation.engine} alike, so the latency the policy judges is the served one.
         */
        @WithDefault("onnxruntime")
        String engine();
    }
}

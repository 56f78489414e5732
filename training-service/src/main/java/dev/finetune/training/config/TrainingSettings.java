package dev.finetune.training.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The {@code training.*} settings of the service; docs/operations.md lists each with an example. */
@ConfigMapping(prefix = "training")
public interface TrainingSettings {

    /** Runs executed at once by this instance. Fine-tuning uses every core, so 1 unless the machine is large. */
    @WithDefault("1")
    int concurrency();

    /** How long a run stays owned by an instance without a heartbeat before another one takes it over. */
    @WithDefault("60s")
    Duration lease();

    /**
     * Attempts a run may have whose instance stopped without ending it (killed, out of memory, lost); when
     * the last of them is found abandoned the run fails with the reason instead of being taken over again,
     * so a run that kills its JVM cannot hold the queue forever. 1 to 100.
     */
    @WithDefault("3")
    int maxAttempts();

    /** How often the owner renews its lease and looks for a cancel request while training. */
    @WithDefault("5s")
    Duration heartbeat();

    /** How often idle slots look for queued runs (or runs whose owner went away). */
    @WithDefault("1s")
    Duration pollInterval();

    /** Minimum time between two {@code training.progress} events of a run. */
    @WithDefault("2s")
    Duration progressInterval();

    /** The progress streams ({@code GET /runs/{id}/events}) this instance serves. */
    Progress progress();

    /** Readiness goes DOWN when a running run has made no step for this long. */
    @WithDefault("10m")
    Duration stallTimeout();

    /**
     * How libtorch computes float32 matrix products in this process: {@code fp32}, {@code bf16-matmul} (oneDNN's
     * bf16 path, on CPUs with native bf16) or {@code auto} (bf16-matmul exactly where the CPU has native bf16). A
     * process-wide setting of libtorch, so a setting of the instance, not of a run; what is in effect is logged
     * at start (a request the CPU or libtorch cannot honour falls back to fp32).
     */
    @WithDefault("fp32")
    String precision();

    /** Identifies this instance as the owner of its runs; defaults to host name and process id. */
    Optional<String> instanceId();

    /** Platform defaults of the hyperparameters, used where a data set's configuration says nothing. */
    Hyperparameters defaults();

    interface Progress {

        /**
         * Progress streams open at once on this instance, 1 to 10000; one more is refused (429
         * {@code too-many-streams}) rather than queued: each holds a connection for as long as its run trains.
         */
        @WithDefault("200")
        int maxStreams();

        /**
         * How often the runs of open streams are looked up in the database, ending the streams of those that
         * ended without an end event this instance heard: a cancelled run (a cancel is announced on no topic), or
         * one whose end was sent before this instance listened.
         */
        @WithDefault("5s")
        Duration endCheck();
    }

    interface Hyperparameters {
        @WithDefault("sentence-transformers/all-MiniLM-L6-v2")
        String baseModel();

        @WithDefault("full")
        String strategy();

        @WithDefault("2")
        int lastLayers();

        @WithDefault("3")
        int epochs();

        @WithDefault("16")
        int batchSize();

        @WithDefault("5e-5")
        float learningRate();

        @WithDefault("1e-3")
        float headLearningRate();

        @WithDefault("64")
        int maxLength();

        @WithDefault("42")
        long seed();

        /** 0: no cap. */
        @WithDefault("0")
        int maxSteps();

        @WithDefault("2")
        int earlyStoppingPatience();
    }
}

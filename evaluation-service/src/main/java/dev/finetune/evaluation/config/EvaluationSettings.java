package dev.finetune.evaluation.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The {@code evaluation.*} settings of the service; docs/operations.md lists each with an example. */
@ConfigMapping(prefix = "evaluation")
public interface EvaluationSettings {

    Latency latency();

    Slices slices();

    Bootstrap bootstrap();

    /**
     * What runs inference while scoring: {@code onnxruntime} or {@code libtorch}, as registry-service serves
     * ({@code registry.serving.engine}), so the latency the promotion policy judges is the served one.
     */
    @WithDefault("onnxruntime")
    String engine();

    /** Inference speed is measured on the test texts after the quality metrics. */
    interface Latency {

        /**
         * Timed single-text predictions (p50, p95); throughput uses {@code requests / 32} batches of 32 (at
         * least one). Each one is a full forward pass, so this bounds the time spent on speed.
         */
        @WithDefault("200")
        int requests();
    }

    /** Text-length buckets, in characters: short below {@code medium-from}, long from {@code long-from}. */
    interface Slices {

        @WithDefault("64")
        int mediumFromChars();

        @WithDefault("256")
        int longFromChars();
    }

    /** The paired bootstrap of the accuracy difference between the candidate and the champion. */
    interface Bootstrap {

        @WithDefault("1000")
        int resamples();

        /** Fixed, so the same predictions always give the same interval. */
        @WithDefault("42")
        long seed();
    }
}

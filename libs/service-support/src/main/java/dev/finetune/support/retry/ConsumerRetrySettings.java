package dev.finetune.support.retry;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How consumers retry transient faults, the same keys in every service (docs/operations.md#retries). */
@ConfigMapping(prefix = "consumer.retry")
public interface ConsumerRetrySettings {

    /**
     * The longest a record is retried for before it is dead-lettered as {@code transient-exhausted}. Each
     * channel's {@code throttled.unprocessed-record-max-age.ms} must exceed it (checked at start), or the
     * connector would declare the channel failed while a record is legitimately being retried.
     */
    @WithDefault("5m")
    Duration maxDuration();

    /** The wait before the first retry; each next wait doubles, up to {@link #maxDelay()}. */
    @WithDefault("1s")
    Duration initialDelay();

    @WithDefault("30s")
    Duration maxDelay();

    /** Each wait is moved by a random amount up to this, so instances do not retry in step. */
    @WithDefault("200ms")
    Duration jitter();
}

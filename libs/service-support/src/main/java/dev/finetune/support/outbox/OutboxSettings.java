package dev.finetune.support.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the outbox relay, the same keys in every service (docs/operations.md#outbox). */
@ConfigMapping(prefix = "outbox")
public interface OutboxSettings {

    /**
     * How often the relay sweeps for unsent events: what a crash or a broker outage left behind. Events are
     * also sent right after the transaction that recorded them commits.
     */
    @WithDefault("5s")
    Duration sweepInterval();

    /** Events sent per round, in one transaction; at most 1000, the emitter's buffer being larger. */
    @WithDefault("100")
    int batchSize();

    /** How long a round waits for the broker to acknowledge its events before it gives up until the next. */
    @WithDefault("30s")
    Duration sendTimeout();
}

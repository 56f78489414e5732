package dev.finetune.registry.messaging;

import dev.finetune.events.EventCodec;
import dev.finetune.events.ModelPromoted;
import dev.finetune.registry.serving.ServedModels;
import dev.finetune.registry.serving.VersionPackage;
import java.time.Duration;
import java.time.Instant;
import io.smallrye.common.annotation.Blocking;
import dev.finetune.support.retry.RetryTransientFaults;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code models.promoted} with a consumer group of its own per instance, so every instance hears of
 * every promotion (whichever instance decided it) and starts loading the promoted version in the background: the
 * instance that moved the alias loaded it before the move, the others load it now rather than on the first request
 * for it. The database stays the truth (predict resolves the alias there on every request), so a missed or late
 * event only costs the first request a wait. It reads from the earliest offset, and a new instance would replay
 * every old promotion, so events older than {@link #REPLAY_WINDOW} are skipped.
 * Annotated {@link RetryTransientFaults} like every consumer, though starting a load touches no database.
 */
@ApplicationScoped
public class PromotionConsumer {

    static final String CHANNEL = "models-promoted";
    private static final Logger LOG = Logger.getLogger(PromotionConsumer.class);

    /** Older promotions are history: loading them would only push recently used versions out. */
    static final Duration REPLAY_WINDOW = Duration.ofMinutes(5);

    private final ServedModels served;

    public PromotionConsumer(ServedModels served) {
        this.served = served;
    }

    @Incoming(CHANNEL)
    @Blocking
    @RetryTransientFaults
    public void consume(String value) {
        ModelPromoted event = decode(value);
        LOG.debugf("models.promoted %s v%d (%s) correlationId=%s", event.modelName(), event.version(), event.trigger(),
                event.correlationId());
        if (event.occurredAt().isAfter(Instant.now().minus(REPLAY_WINDOW))) {
            served.preloadInBackground(new VersionPackage(event.modelName(), event.version(), event.packageUri(),
                    event.packageSha256()));
        }
    }

    /** The record value as an event; the contract test feeds it the documented example. */
    static ModelPromoted decode(String value) {
        return EventCodec.decode(value, ModelPromoted.class);
    }
}

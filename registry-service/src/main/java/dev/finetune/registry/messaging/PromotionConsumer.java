package dev.finetune.registry.messaging;

import dev.finetune.events.EventCodec;
import dev.finetune.events.ModelPromoted;
import dev.finetune.registry.serving.ModelServer;
import io.smallrye.common.annotation.Blocking;
import dev.finetune.support.retry.RetryTransientFaults;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code models.promoted} with a consumer group of its own per instance, so every instance
 * hears of every promotion (whichever instance decided it) and swaps its served model at once. It reads
 * from the earliest offset, so a new instance replays old promotions: each only triggers a comparison
 * of what is served with the database, which stays the truth (and is also refreshed periodically).
 * Annotated {@link RetryTransientFaults} like every consumer, though asking for a refresh touches no database.
 */
@ApplicationScoped
public class PromotionConsumer {

    static final String CHANNEL = "models-promoted";
    private static final Logger LOG = Logger.getLogger(PromotionConsumer.class);

    private final ModelServer server;

    public PromotionConsumer(ModelServer server) {
        this.server = server;
    }

    @Incoming(CHANNEL)
    @Blocking
    @RetryTransientFaults
    public void consume(String value) {
        ModelPromoted event = decode(value);
        LOG.debugf("models.promoted %s v%d (%s) correlationId=%s", event.modelName(), event.version(), event.trigger(),
                event.correlationId());
        server.refreshSoon();
    }

    /** The record value as an event; the contract test feeds it the documented example. */
    static ModelPromoted decode(String value) {
        return EventCodec.decode(value, ModelPromoted.class);
    }
}

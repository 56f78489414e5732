package dev.finetune.evaluation.messaging;

import dev.finetune.evaluation.domain.ChampionStore;
import dev.finetune.support.inbox.Inbox;
import dev.finetune.events.EventCodec;
import dev.finetune.events.ModelPromoted;
import io.smallrye.common.annotation.Blocking;
import dev.finetune.support.retry.RetryTransientFaults;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code models.promoted}: the promoted version becomes the model's champion, against which later
 * candidates are compared. A record that is not a valid {@link ModelPromoted} throws, which nacks it and sends it
 * to {@code dlq.evaluation-service.models.promoted} with the reason; the consumer keeps going.
 * A transient fault (the database or the artifact store away) is retried, not dead-lettered ({@link RetryTransientFaults}).
 */
@ApplicationScoped
public class PromotionConsumer {

    static final String CHANNEL = "models-promoted";
    private static final Logger LOG = Logger.getLogger(PromotionConsumer.class);

    private final Inbox inbox;
    private final ChampionStore champions;

    public PromotionConsumer(Inbox inbox, ChampionStore champions) {
        this.inbox = inbox;
        this.champions = champions;
    }

    @Incoming(CHANNEL)
    @Blocking
    @RetryTransientFaults
    public void consume(String value) {
        accept(decode(value));
    }

    /** The inbox row and the champion change commit together. */
    @Transactional
    void accept(ModelPromoted event) {
        if (!inbox.firstDelivery(event)) {
            LOG.debugf("%s %s already accepted, skipped", event.topic(), event.eventId());
            return;
        }
        champions.promote(event);
        LOG.infof("%s %s v%d (%s) is production; correlationId=%s", event.topic(), event.modelName(), event.version(),
                event.trigger(), event.correlationId());
    }

    /** The record value as an event; the contract test feeds it the documented example. */
    static ModelPromoted decode(String value) {
        return EventCodec.decode(value, ModelPromoted.class);
    }
}

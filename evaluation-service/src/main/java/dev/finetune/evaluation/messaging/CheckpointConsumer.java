package dev.finetune.evaluation.messaging;

import dev.finetune.events.EventCodec;
import dev.finetune.events.CheckpointSaved;
import dev.finetune.evaluation.domain.Inbox;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code training.checkpoints}. A record that is not a valid {@link CheckpointSaved} throws, which nacks it
 * and sends it to {@code dlq.evaluation-service.training.checkpoints} with the reason; the consumer keeps going.
 */
@ApplicationScoped
public class CheckpointConsumer {

    static final String CHANNEL = "training-checkpoints";
    private static final Logger LOG = Logger.getLogger(CheckpointConsumer.class);

    private final Inbox inbox;

    public CheckpointConsumer(Inbox inbox) {
        this.inbox = inbox;
    }

    @Incoming(CHANNEL)
    @Blocking
    public void consume(String value) {
        CheckpointSaved event = decode(value);
        if (!inbox.firstDelivery(event)) {
            LOG.debugf("%s %s already accepted, skipped", event.topic(), event.eventId());
            return;
        }
        LOG.infof("accepted %s %s key=%s correlationId=%s", event.topic(), event.eventId(), event.key(),
                event.correlationId());
    }

    /** The record value as an event; the contract test feeds it the documented example. */
    static CheckpointSaved decode(String value) {
        return EventCodec.decode(value, CheckpointSaved.class);
    }
}

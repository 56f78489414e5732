package dev.finetune.registry.messaging;

import dev.finetune.events.EventCodec;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.registry.domain.Inbox;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code evaluations.completed}. A record that is not a valid {@link EvaluationCompleted} throws, which nacks it
 * and sends it to {@code dlq.registry-service.evaluations.completed} with the reason; the consumer keeps going.
 */
@ApplicationScoped
public class EvaluationConsumer {

    static final String CHANNEL = "evaluations-completed";
    private static final Logger LOG = Logger.getLogger(EvaluationConsumer.class);

    private final Inbox inbox;

    public EvaluationConsumer(Inbox inbox) {
        this.inbox = inbox;
    }

    @Incoming(CHANNEL)
    @Blocking
    public void consume(String value) {
        EvaluationCompleted event = decode(value);
        if (!inbox.firstDelivery(event)) {
            LOG.debugf("%s %s already accepted, skipped", event.topic(), event.eventId());
            return;
        }
        LOG.infof("accepted %s %s key=%s correlationId=%s", event.topic(), event.eventId(), event.key(),
                event.correlationId());
    }

    /** The record value as an event; the contract test feeds it the documented example. */
    static EvaluationCompleted decode(String value) {
        return EventCodec.decode(value, EvaluationCompleted.class);
    }
}

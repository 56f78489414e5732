package dev.finetune.registry.messaging;

import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventCodec;
import dev.finetune.support.inbox.Inbox;
import dev.finetune.registry.domain.Registry;
import io.smallrye.common.annotation.Blocking;
import dev.finetune.support.retry.RetryTransientFaults;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code evaluations.completed} and takes the promotion decision. The inbox row, the decision
 * and the event announcing it commit together; a record that is not a valid {@link EvaluationCompleted}
 * goes to {@code dlq.registry-service.evaluations.completed} with the reason; the consumer keeps going.
 * A transient fault (the database or the artifact store away) is retried, not dead-lettered ({@link RetryTransientFaults}).
 */
@ApplicationScoped
public class EvaluationConsumer {

    static final String CHANNEL = "evaluations-completed";
    private static final Logger LOG = Logger.getLogger(EvaluationConsumer.class);

    private final Inbox inbox;
    private final Registry registry;

    public EvaluationConsumer(Inbox inbox, Registry registry) {
        this.inbox = inbox;
        this.registry = registry;
    }

    @Incoming(CHANNEL)
    @Blocking
    @RetryTransientFaults
    public void consume(String value) {
        EvaluationCompleted event = decode(value);
        accept(event);
    }

    @Transactional
    boolean accept(EvaluationCompleted event) {
        if (!inbox.firstDelivery(event)) {
            LOG.debugf("%s %s already accepted, skipped", event.topic(), event.eventId());
            return false;
        }
        return registry.decide(event).isPresent();
    }

    /** The record value as an event; the contract test feeds it the documented example. */
    static EvaluationCompleted decode(String value) {
        return EventCodec.decode(value, EvaluationCompleted.class);
    }
}

package dev.finetune.training.messaging;

import dev.finetune.events.EventCodec;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.training.domain.Inbox;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code datasets.prepared}. A record that is not a valid {@link DatasetPrepared} throws, which nacks it
 * and sends it to {@code dlq.training-service.datasets.prepared} with the reason; the consumer keeps going.
 */
@ApplicationScoped
public class DatasetPreparedConsumer {

    static final String CHANNEL = "datasets-prepared";
    private static final Logger LOG = Logger.getLogger(DatasetPreparedConsumer.class);

    private final Inbox inbox;

    public DatasetPreparedConsumer(Inbox inbox) {
        this.inbox = inbox;
    }

    @Incoming(CHANNEL)
    @Blocking
    public void consume(String value) {
        DatasetPrepared event = decode(value);
        if (!inbox.firstDelivery(event)) {
            LOG.debugf("%s %s already accepted, skipped", event.topic(), event.eventId());
            return;
        }
        LOG.infof("accepted %s %s key=%s correlationId=%s", event.topic(), event.eventId(), event.key(),
                event.correlationId());
    }

    /** The record value as an event; the contract test feeds it the documented example. */
    static DatasetPrepared decode(String value) {
        return EventCodec.decode(value, DatasetPrepared.class);
    }
}

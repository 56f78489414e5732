package dev.finetune.dataset.messaging;

import dev.finetune.dataset.domain.ModelReferences;
import dev.finetune.events.EventCodec;
import dev.finetune.events.ModelPromoted;
import dev.finetune.support.inbox.Inbox;
import dev.finetune.support.retry.RetryTransientFaults;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code models.promoted} to learn which data set versions trained a model in production, so such a
 * data set is never deleted. Idempotent through the shared inbox, as every consumer of a platform event: a
 * redelivered or replayed event is skipped by its event id. A model version promoted again later (after a
 * rollback) is a new event for a reference that exists already; the reference table keeps one row per model
 * version. A malformed record goes to {@code dlq.dataset-service.models.promoted} at once; a database outage
 * is retried.
 */
@ApplicationScoped
public class ModelPromotedConsumer {

    static final String CHANNEL = "models-promoted";
    private static final Logger LOG = Logger.getLogger(ModelPromotedConsumer.class);

    private final Inbox inbox;
    private final ModelReferences references;

    public ModelPromotedConsumer(Inbox inbox, ModelReferences references) {
        this.inbox = inbox;
        this.references = references;
    }

    @Incoming(CHANNEL)
    @Blocking
    @RetryTransientFaults
    public void consume(String value) {
        accept(EventCodec.decode(value, ModelPromoted.class));
    }

    /** The inbox row and the reference commit together. */
    @Transactional
    void accept(ModelPromoted event) {
        if (!inbox.firstDelivery(event)) {
            LOG.debugf("%s %s already accepted, skipped", event.topic(), event.eventId());
            return;
        }
        boolean added = references.add(event.modelName(), event.version(), event.lineage().dataset(),
                event.lineage().datasetVersion(), event.eventId(), event.occurredAt());
        if (added) {
            LOG.infof("model %s:%d references data set %s version %d", event.modelName(), event.version(),
                    event.lineage().dataset(), event.lineage().datasetVersion());
        }
    }
}

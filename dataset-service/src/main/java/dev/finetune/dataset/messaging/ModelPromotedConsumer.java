package dev.finetune.dataset.messaging;

import dev.finetune.dataset.domain.ModelReferences;
import dev.finetune.events.EventCodec;
import dev.finetune.events.ModelPromoted;
import dev.finetune.support.retry.RetryTransientFaults;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code models.promoted} to learn which data set versions trained a model in production, so such a
 * data set is never deleted. Applying an event twice changes nothing (one row per model version). A malformed
 * record goes to {@code dlq.dataset-service.models.promoted} at once; a database outage is retried.
 */
@ApplicationScoped
public class ModelPromotedConsumer {

    static final String CHANNEL = "models-promoted";
    private static final Logger LOG = Logger.getLogger(ModelPromotedConsumer.class);

    private final ModelReferences references;

    public ModelPromotedConsumer(ModelReferences references) {
        this.references = references;
    }

    @Incoming(CHANNEL)
    @Blocking
    @RetryTransientFaults
    public void consume(String value) {
        ModelPromoted event = EventCodec.decode(value, ModelPromoted.class);
        boolean added = references.add(event.modelName(), event.version(), event.lineage().dataset(),
                event.lineage().datasetVersion(), event.eventId(), event.occurredAt());
        if (added) {
            LOG.infof("model %s:%d references data set %s version %d", event.modelName(), event.version(),
                    event.lineage().dataset(), event.lineage().datasetVersion());
        }
    }
}

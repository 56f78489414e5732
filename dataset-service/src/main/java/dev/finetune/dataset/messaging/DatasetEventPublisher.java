package dev.finetune.dataset.messaging;

import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.kafka.EventMessages;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** Publishes {@code datasets.prepared}, keyed by data set name. */
@ApplicationScoped
public class DatasetEventPublisher {

    static final String DATASETS_PREPARED = "datasets-prepared";

    private final Emitter<String> prepared;

    public DatasetEventPublisher(@Channel(DATASETS_PREPARED) Emitter<String> prepared) {
        this.prepared = prepared;
    }

    /** Sends the event; the stage completes once the broker has acknowledged it. */
    public CompletionStage<Void> publish(DatasetPrepared event) {
        EventMessages.Outgoing outgoing = EventMessages.keyed(event);
        prepared.send(outgoing.message());
        return outgoing.acknowledged();
    }
}

package dev.finetune.training.messaging;

import dev.finetune.events.TrainingProgress;
import dev.finetune.events.kafka.EventMessages;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * Publishes {@code training.progress}, keyed by run id, fire-and-forget. Every other training event
 * (checkpoints, completed, failed) is a state change and leaves through the outbox with it (RunStore).
 */
@ApplicationScoped
public class TrainingEventPublisher {

    public static final String PRODUCER = "training-service";

    private final Emitter<String> progress;

    public TrainingEventPublisher(@Channel("training-progress") Emitter<String> progress) {
        this.progress = progress;
    }

    /** Progress is advisory: sent without waiting, a lost one is replaced by the next. */
    public void progress(TrainingProgress event) {
        progress.send(EventMessages.keyed(event).message());
    }
}

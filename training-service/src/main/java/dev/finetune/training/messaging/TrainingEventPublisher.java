package dev.finetune.training.messaging;

import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.PlatformEvent;
import dev.finetune.events.TrainingCompleted;
import dev.finetune.events.TrainingFailed;
import dev.finetune.events.TrainingProgress;
import dev.finetune.events.kafka.EventMessages;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/** Publishes the training events, each keyed by run id. */
@ApplicationScoped
public class TrainingEventPublisher {

    public static final String PRODUCER = "training-service";
    private static final Logger LOG = Logger.getLogger(TrainingEventPublisher.class);

    private final Emitter<String> progress;
    private final Emitter<String> checkpoints;
    private final Emitter<String> completed;
    private final Emitter<String> failed;

    public TrainingEventPublisher(@Channel("training-progress") Emitter<String> progress,
            @Channel("training-checkpoints") Emitter<String> checkpoints,
            @Channel("training-completed") Emitter<String> completed,
            @Channel("training-failed") Emitter<String> failed) {
        this.progress = progress;
        this.checkpoints = checkpoints;
        this.completed = completed;
        this.failed = failed;
    }

    /** Progress is advisory: sent without waiting, a lost one is replaced by the next. */
    public void progress(TrainingProgress event) {
        progress.send(EventMessages.keyed(event).message());
    }

    /** Waits for the broker: evaluation must hear of every candidate checkpoint. */
    public void checkpoint(CheckpointSaved event) {
        sendAndWait(checkpoints, event);
    }

    public void completed(TrainingCompleted event) {
        sendAndWait(completed, event);
    }

    public void failed(TrainingFailed event) {
        sendAndWait(failed, event);
    }

    private static void sendAndWait(Emitter<String> emitter, PlatformEvent event) {
        EventMessages.Outgoing outgoing = EventMessages.keyed(event);
        emitter.send(outgoing.message());
        CompletableFuture<Void> acknowledged = outgoing.acknowledged();
        try {
            acknowledged.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not publish " + event.topic() + " " + event.eventId(), e);
        }
        LOG.infof("published %s key=%s correlationId=%s", event.topic(), event.key(), event.correlationId());
    }
}

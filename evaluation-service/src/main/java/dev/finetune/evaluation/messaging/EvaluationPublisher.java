package dev.finetune.evaluation.messaging;

import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.kafka.EventMessages;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/** Publishes {@code evaluations.completed}, keyed by model name, and waits for the broker's acknowledgement. */
@ApplicationScoped
public class EvaluationPublisher {

    static final String CHANNEL = "evaluations-completed";
    private static final Logger LOG = Logger.getLogger(EvaluationPublisher.class);

    private final Emitter<String> completed;

    public EvaluationPublisher(@Channel(CHANNEL) Emitter<String> completed) {
        this.completed = completed;
    }

    /** Returns once the broker has the event; throws when it does not, so the row stays unpublished. */
    public void publish(EvaluationCompleted event) {
        EventMessages.Outgoing outgoing = EventMessages.keyed(event);
        completed.send(outgoing.message());
        try {
            outgoing.acknowledged().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not publish " + event.topic() + " " + event.evaluationId(), e);
        }
        LOG.infof("published %s %s %s key=%s correlationId=%s", event.topic(), event.evaluationId(), event.status(),
                event.key(), event.correlationId());
    }
}

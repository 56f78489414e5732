package dev.finetune.evaluation.messaging;

import dev.finetune.support.inbox.Inbox;
import dev.finetune.evaluation.scoring.CheckpointEvaluator;
import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.EventCodec;
import io.smallrye.reactive.messaging.annotations.Blocking;
import dev.finetune.support.retry.RetryTransientFaults;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code training.checkpoints}: each candidate checkpoint (best or last) is scored and one
 * {@code evaluations.completed} goes out, succeeded or failed with the reason. Scoring runs on the
 * {@value #WORKER} pool (one thread), never on the Kafka poll thread, which keeps polling (and pauses the
 * partitions) meanwhile. The worker runs on the record's Vert.x context, where Quarkus keeps the record's
 * trace current, so the scoring logs and the published event continue it with no code here (EvaluationIT
 * checks). A record that is not a valid {@link CheckpointSaved} throws, which sends it to
 * {@code dlq.evaluation-service.training.checkpoints} with the reason; the consumer keeps going.
 * A transient fault (the database or the artifact store away) is retried, not dead-lettered ({@link RetryTransientFaults}).
 *
 * <p>Idempotent twice over: a redelivered event (same event id) is skipped by the inbox, and a new event for a
 * checkpoint already scored on the same test split publishes nothing. A new evaluation, its
 * {@code evaluations.completed} event (through the outbox) and the checkpoint event's inbox entry commit together.
 */
@ApplicationScoped
public class CheckpointConsumer {

    static final String CHANNEL = "training-checkpoints";
    /** Named worker pool; its size is {@code smallrye.messaging.worker.evaluation.max-concurrency}. */
    static final String WORKER = "evaluation";
    private static final Logger LOG = Logger.getLogger(CheckpointConsumer.class);

    private final Inbox inbox;
    private final CheckpointEvaluator evaluator;

    public CheckpointConsumer(Inbox inbox, CheckpointEvaluator evaluator) {
        this.inbox = inbox;
        this.evaluator = evaluator;
    }

    @Incoming(CHANNEL)
    @Blocking(WORKER)
    @RetryTransientFaults
    public void consume(String value) {
        CheckpointSaved event = decode(value);
        if (inbox.seen(event.eventId())) {
            LOG.debugf("%s %s already accepted, skipped", event.topic(), event.eventId());
            return;
        }
        if (!event.candidate()) {
            inbox.firstDelivery(event);
            LOG.debugf("%s %s step %d is neither best nor last: not a candidate", event.topic(), event.eventId(),
                    event.lineage().step());
            return;
        }
        CheckpointEvaluator.Outcome outcome = evaluator.evaluate(event);
        if (!outcome.isNew()) {
            inbox.firstDelivery(event);
            LOG.infof("%s %s: checkpoint %s already evaluated on this test split as %s, nothing new to publish",
                    event.topic(), event.eventId(), event.lineage().checkpointUri(), outcome.evaluation().id);
        }
    }

    /** The record value as an event; the contract test feeds it the documented example. */
    static CheckpointSaved decode(String value) {
        return EventCodec.decode(value, CheckpointSaved.class);
    }
}

package dev.finetune.training.messaging;

import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.training.domain.Hyperparameters;
import dev.finetune.support.inbox.Inbox;
import dev.finetune.training.domain.RunSource;
import dev.finetune.training.domain.RunStore;
import dev.finetune.training.runner.RunExecutor;
import io.smallrye.common.annotation.Blocking;
import dev.finetune.support.retry.RetryTransientFaults;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code datasets.prepared}: records a queued run and acknowledges at once; the run executes
 * later on {@link RunExecutor}. A record that is not a valid {@link DatasetPrepared} (or names no
 * training split) throws, which sends it to {@code dlq.training-service.datasets.prepared} with the
 * reason; the consumer keeps going.
 * A transient fault (the database or the artifact store away) is retried, not dead-lettered ({@link RetryTransientFaults}).
 */
@ApplicationScoped
public class DatasetPreparedConsumer {

    static final String CHANNEL = "datasets-prepared";
    private static final Logger LOG = Logger.getLogger(DatasetPreparedConsumer.class);

    private final Inbox inbox;
    private final RunStore runs;
    private final RunExecutor executor;

    public DatasetPreparedConsumer(Inbox inbox, RunStore runs, RunExecutor executor) {
        this.inbox = inbox;
        this.runs = runs;
        this.executor = executor;
    }

    @Incoming(CHANNEL)
    @Blocking
    @RetryTransientFaults
    public void consume(String value) {
        DatasetPrepared event = decode(value);
        if (accept(event)) {
            executor.wakeUp();
        }
    }

    /** The inbox row and the queued run commit together: a crash in between cannot lose the run. */
    @Transactional
    boolean accept(DatasetPrepared event) {
        if (!inbox.firstDelivery(event)) {
            LOG.debugf("%s %s already accepted, skipped", event.topic(), event.eventId());
            return false;
        }
        RunStore.Enqueued enqueued = runs.enqueue(RunSource.of(event), Hyperparameters.NONE);
        LOG.infof("%s %s v%d: %s run %s correlationId=%s", event.topic(), event.dataset(), event.version(),
                enqueued.created() ? "queued" : "already has", enqueued.run().id, event.correlationId());
        return enqueued.created();
    }

    /** The record value as an event; the contract test feeds it the documented example. */
    static DatasetPrepared decode(String value) {
        return EventCodec.decode(value, DatasetPrepared.class);
    }
}

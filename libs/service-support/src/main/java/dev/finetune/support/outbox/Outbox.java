package dev.finetune.support.outbox;

import dev.finetune.events.EventCodec;
import dev.finetune.events.PlatformEvent;
import dev.finetune.events.kafka.TraceContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.time.Instant;

/**
 * The one way an event that another service must learn of leaves a service: recorded in the transaction
 * of the state change it announces, so both commit or neither does, and sent by the {@link OutboxRelay}
 * once that transaction has committed. Delivery is at least once; consumers de-duplicate by event id.
 */
@ApplicationScoped
public class Outbox {

    private final OutboxRelay relay;
    private final TransactionSynchronizationRegistry transactions;

    public Outbox(OutboxRelay relay, TransactionSynchronizationRegistry transactions) {
        this.relay = relay;
        this.transactions = transactions;
    }

    /**
     * Records {@code event}, with the trace current on this thread, in the caller's transaction (there must
     * be one: an event recorded on its own could announce a change that then rolls back).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(PlatformEvent event) {
        OutboxEvent row = new OutboxEvent();
        row.eventId = event.eventId();
        row.topic = event.topic();
        row.recordKey = event.key();
        row.payload = EventCodec.encode(event);
        row.traceparent = TraceContext.current();
        row.createdAt = Instant.now();
        row.persist();
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    relay.wakeUp();
                }
            }
        });
    }
}

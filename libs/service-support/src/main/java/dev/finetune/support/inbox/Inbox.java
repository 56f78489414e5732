package dev.finetune.support.inbox;

import dev.finetune.events.PlatformEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/** Records accepted events so that a redelivered or replayed event is recognised and skipped. */
@ApplicationScoped
public class Inbox {

    private final EntityManager entityManager;

    public Inbox(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    /**
     * Records the event in the caller's transaction (or a new one) and says whether this is its first
     * delivery. Insert-or-ignore, so two instances racing on one event cannot both see "first".
     */
    @Transactional
    public boolean firstDelivery(PlatformEvent event) {
        int inserted = entityManager.createNativeQuery("""
                        INSERT INTO inbox_event (event_id, topic, record_key, correlation_id, received_at)
                        VALUES (?1, ?2, ?3, ?4, now())
                        ON CONFLICT (event_id) DO NOTHING""")
                .setParameter(1, event.eventId())
                .setParameter(2, event.topic())
                .setParameter(3, event.key())
                .setParameter(4, event.correlationId())
                .executeUpdate();
        return inserted == 1;
    }

    /** Whether the event was accepted already; a read, so a consumer can skip work before recording it. */
    @Transactional
    public boolean seen(java.util.UUID eventId) {
        return InboxEvent.findByIdOptional(eventId).isPresent();
    }

    @Transactional
    public long count() {
        return InboxEvent.count();
    }
}

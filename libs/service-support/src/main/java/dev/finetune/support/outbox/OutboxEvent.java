package dev.finetune.support.outbox;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * An event committed in the same transaction as the change it announces, waiting for the relay to send it.
 * Every service keeps an {@code outbox} table of this one shape in its own schema (docs/operations.md).
 */
@Entity
@Table(name = "outbox")
public class OutboxEvent extends PanacheEntityBase {

    /** Recording order; the relay sends in it, so events about one record key leave in the order made. */
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "event_id", nullable = false, unique = true)
    public UUID eventId;

    @Column(nullable = false)
    public String topic;

    @Column(name = "record_key", nullable = false)
    public String recordKey;

    @Column(nullable = false)
    public String payload;

    /** The trace of the work that recorded the event; the relay sends the event in it. */
    public String traceparent;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "sent_at")
    public Instant sentAt;
}

package dev.finetune.support.inbox;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * An event this service has accepted, by event id. Kafka delivers at least once and topics get
 * replayed; this ledger is what makes consuming idempotent.
 */
@Entity
@Table(name = "inbox_event")
public class InboxEvent extends PanacheEntityBase {

    @Id
    @Column(name = "event_id")
    public UUID eventId;

    public String topic;

    @Column(name = "record_key")
    public String recordKey;

    @Column(name = "correlation_id")
    public String correlationId;

    @Column(name = "received_at")
    public Instant receivedAt;
}

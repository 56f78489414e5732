package dev.finetune.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.UUID;

/**
 * What every event carries: its own identity, when and by whom it was produced, the schema version,
 * and the correlation id that follows one data set version from upload to promotion.
 */
public interface PlatformEvent {

    UUID eventId();

    Instant occurredAt();

    int schemaVersion();

    String producer();

    String correlationId();

    /** The Kafka record key: the entity the event is about, so order holds per entity. */
    @JsonIgnore
    String key();

    /** The topic this event is published to. */
    @JsonIgnore
    String topic();
}

package dev.finetune.events;

import java.time.Instant;
import java.util.UUID;

/**
 * The envelope fields of a new event, built in one place so producers never forget one.
 *
 * @param producer the service that produces the event, e.g. {@code training-service}
 * @param correlationId follows one data set version through training, evaluation and promotion
 */
public record EventMeta(UUID eventId, Instant occurredAt, int schemaVersion, String producer, String correlationId) {

    /** The schema version this build of the contract writes. Readers accept this and older ones. */
    public static final int SCHEMA_VERSION = 1;

    public EventMeta {
        check(eventId, occurredAt, schemaVersion, producer, correlationId);
    }

    /** Validates the envelope fields of any event record; called from each record's constructor. */
    static void check(UUID eventId, Instant occurredAt, int schemaVersion, String producer, String correlationId) {
        Require.present(eventId, "eventId");
        Require.present(occurredAt, "occurredAt");
        Require.present(producer, "producer");
        Require.present(correlationId, "correlationId");
        Require.positive(schemaVersion, "schemaVersion");
    }

    /** Fresh envelope for an event produced now. */
    public static EventMeta next(String producer, String correlationId) {
        return new EventMeta(UUID.randomUUID(), Instant.now(), SCHEMA_VERSION, producer, correlationId);
    }
}

-- Events this service has accepted, by event id: consuming is idempotent under redelivery and replay.
CREATE TABLE inbox_event (
    event_id       uuid PRIMARY KEY,
    topic          text        NOT NULL,
    record_key     text        NOT NULL,
    correlation_id text        NOT NULL,
    received_at    timestamptz NOT NULL
);

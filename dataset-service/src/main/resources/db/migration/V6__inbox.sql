-- The inbox every consuming service keeps (libs/service-support): models.promoted events this service has
-- accepted, by event id, so a redelivered or replayed event is recognised and skipped. labels.ingest records
-- carry no event id (raw input); their Kafka coordinates in pending_example play that part.
CREATE TABLE inbox_event (
    event_id       uuid PRIMARY KEY,
    topic          text        NOT NULL,
    record_key     text        NOT NULL,
    correlation_id text        NOT NULL,
    received_at    timestamptz NOT NULL
);

-- The outbox every service keeps (libs/service-support, one shape everywhere): ordered by id, so the relay
-- sends the events of one key in the order they were recorded. Unsent rows of the old table move over.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    event_id    uuid        NOT NULL UNIQUE,
    topic       text        NOT NULL,
    record_key  text        NOT NULL,
    payload     text        NOT NULL,
    traceparent text,
    created_at  timestamptz NOT NULL,
    sent_at     timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

INSERT INTO outbox (event_id, topic, record_key, payload, traceparent, created_at, sent_at)
SELECT event_id, topic, record_key, payload, traceparent, created_at, sent_at
FROM outbox_event ORDER BY created_at;
DROP TABLE outbox_event;

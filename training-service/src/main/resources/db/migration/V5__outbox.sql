-- The outbox every service keeps (libs/service-support, one shape everywhere): a run's checkpoints, its
-- completion with its candidate, and its failure commit together with the events announcing them.
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

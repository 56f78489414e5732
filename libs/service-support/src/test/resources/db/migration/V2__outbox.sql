-- Events committed with the change they announce, sent by the outbox relay (the same shape in every service).
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

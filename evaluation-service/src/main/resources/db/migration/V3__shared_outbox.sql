-- The outbox every service keeps (libs/service-support, one shape everywhere): an evaluation and its
-- evaluations.completed event now commit together, so the publication mark is no longer needed. (An
-- evaluation a crash left unpublished before this version is not re-announced: its payload is built in Java.)
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

ALTER TABLE evaluation DROP COLUMN published_at;

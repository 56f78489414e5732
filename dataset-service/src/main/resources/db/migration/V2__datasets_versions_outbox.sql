-- Data sets, their immutable versions, records waiting to become a version, the transactional outbox of
-- datasets.prepared, and the model versions that reference a data set (learned from models.promoted).

CREATE TABLE dataset (
    name                          text PRIMARY KEY,
    created_at                    timestamptz NOT NULL DEFAULT now(),
    -- Per data set trigger settings; null means the service default (dataset.trigger.*).
    trigger_new_examples          integer,
    trigger_partial_examples      integer,
    trigger_partial_after_seconds bigint,
    -- After a triggered build failed, the trigger waits until this many examples are pending.
    retry_at_pending              integer,
    last_failure                  text
);

CREATE TABLE dataset_version (
    dataset        text        NOT NULL REFERENCES dataset (name) ON DELETE CASCADE,
    version        integer     NOT NULL,
    created_at     timestamptz NOT NULL,
    source         text        NOT NULL,  -- upload or labels.ingest
    mode           text        NOT NULL,  -- append or replace
    content_sha256 text        NOT NULL,
    manifest_uri   text        NOT NULL,
    examples       bigint      NOT NULL,
    manifest       text        NOT NULL,  -- the manifest.json stored next to the splits
    PRIMARY KEY (dataset, version)
);

-- Events committed with the version they announce; a relay sends them after commit and marks them sent.
CREATE TABLE outbox_event (
    event_id       uuid PRIMARY KEY,
    topic          text        NOT NULL,
    record_key     text        NOT NULL,
    payload        text        NOT NULL,
    created_at     timestamptz NOT NULL,
    sent_at        timestamptz
);
CREATE INDEX outbox_event_unsent ON outbox_event (created_at) WHERE sent_at IS NULL;

-- Records from labels.ingest waiting for the trigger. Unique by Kafka coordinates: redelivery adds nothing.
CREATE TABLE pending_example (
    id              bigserial PRIMARY KEY,
    dataset         text        NOT NULL REFERENCES dataset (name) ON DELETE CASCADE,
    text            text        NOT NULL,
    label           text        NOT NULL,
    source_id       text,
    topic           text        NOT NULL,
    kafka_partition integer     NOT NULL,
    kafka_offset    bigint      NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (topic, kafka_partition, kafka_offset)
);
CREATE INDEX pending_example_dataset ON pending_example (dataset, id);

-- Model versions trained on a data set version; a referenced data set cannot be deleted.
CREATE TABLE model_reference (
    model_name      text        NOT NULL,
    model_version   integer     NOT NULL,
    dataset         text        NOT NULL,
    dataset_version integer     NOT NULL,
    event_id        uuid        NOT NULL,
    promoted_at     timestamptz NOT NULL,
    PRIMARY KEY (model_name, model_version)
);
CREATE INDEX model_reference_dataset ON model_reference (dataset);

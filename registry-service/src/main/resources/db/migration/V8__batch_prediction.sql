-- Batch predictions: a job scoring every row of an input file with one model version, claimed by any registry
-- instance (FOR UPDATE SKIP LOCKED); a job whose claimant stops renewing heartbeat_at is claimed again.
CREATE TABLE batch_prediction (
    id             text PRIMARY KEY,
    model_name     text        NOT NULL,
    version        int         NOT NULL,
    team           text        NOT NULL,
    format         text        NOT NULL,
    input_uri      text        NOT NULL,
    input_bytes    bigint      NOT NULL,
    output_uri     text,
    status         text        NOT NULL,
    rows_scored    bigint      NOT NULL DEFAULT 0,
    bytes_read     bigint      NOT NULL DEFAULT 0,
    failure_reason text,
    owner          text,
    attempts       int         NOT NULL DEFAULT 0,
    heartbeat_at   timestamptz,
    created_by     text        NOT NULL,
    created_at     timestamptz NOT NULL,
    started_at     timestamptz,
    finished_at    timestamptz
);
CREATE INDEX batch_prediction_open ON batch_prediction (created_at) WHERE status IN ('QUEUED', 'RUNNING');
CREATE INDEX batch_prediction_model ON batch_prediction (model_name, created_at);

-- Training configuration per data set name, managed over REST; absent fields fall back to the platform defaults.
CREATE TABLE training_config (
    dataset         text PRIMARY KEY,
    hyperparameters jsonb       NOT NULL,
    updated_at      timestamptz NOT NULL
);

-- One row per run. A run is owned by at most one instance at a time through a lease that the owner
-- renews while it trains; a lease that has run out is taken over and the run resumes from its
-- last resumable checkpoint.
CREATE TABLE training_run (
    id                     uuid PRIMARY KEY,
    dataset                text        NOT NULL,
    dataset_version        integer     NOT NULL,
    manifest_uri           text        NOT NULL,
    train_uri              text        NOT NULL,
    validation_uri         text,
    model_name             text        NOT NULL,
    hyperparameters        jsonb       NOT NULL,
    config_hash            text        NOT NULL,
    correlation_id         text        NOT NULL,
    source_event_id        uuid,
    status                 text        NOT NULL,
    failure_reason         text,
    cancel_requested       boolean     NOT NULL DEFAULT false,
    owner                  text,
    lease_until            timestamptz,
    attempts               integer     NOT NULL DEFAULT 0,
    step                   bigint      NOT NULL DEFAULT 0,
    total_steps            bigint      NOT NULL DEFAULT 0,
    last_loss              double precision,
    samples_per_second     double precision,
    resume_checkpoint_uri  text,
    resume_step            bigint,
    best_checkpoint_uri    text,
    best_checkpoint_sha256 text,
    best_step              bigint,
    best_metrics           jsonb,
    created_at             timestamptz NOT NULL,
    started_at             timestamptz,
    progressed_at          timestamptz,
    finished_at            timestamptz,
    -- The same data set version with the same configuration never trains twice.
    CONSTRAINT training_run_natural_key UNIQUE (dataset, dataset_version, config_hash)
);
CREATE INDEX training_run_claimable ON training_run (status, created_at);

-- Validation metrics after each epoch, and the checkpoints stored, for GET /runs/{id}.
CREATE TABLE run_evaluation (
    run_id     uuid        NOT NULL REFERENCES training_run (id),
    step       bigint      NOT NULL,
    epoch      integer     NOT NULL,
    train_loss double precision NOT NULL,
    metrics    jsonb       NOT NULL,
    at         timestamptz NOT NULL,
    PRIMARY KEY (run_id, step)
);

CREATE TABLE run_checkpoint (
    run_id  uuid        NOT NULL REFERENCES training_run (id),
    step    bigint      NOT NULL,
    reason  text        NOT NULL,
    uri     text        NOT NULL,
    sha256  text        NOT NULL,
    size    bigint      NOT NULL,
    metrics jsonb       NOT NULL,
    at      timestamptz NOT NULL,
    PRIMARY KEY (run_id, step, reason)
);

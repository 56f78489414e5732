-- One row per scoring attempt of a candidate checkpoint; the event it published is rebuilt from it.
CREATE TABLE evaluation (
    id                   text PRIMARY KEY,
    event_id             uuid        NOT NULL UNIQUE,
    occurred_at          timestamptz NOT NULL,
    correlation_id       text        NOT NULL,
    checkpoint_event_id  uuid        NOT NULL,
    status               text        NOT NULL CHECK (status IN ('SUCCEEDED', 'FAILED')),
    reason               text,
    model_name           text        NOT NULL,
    dataset              text        NOT NULL,
    dataset_version      integer     NOT NULL,
    dataset_manifest_uri text        NOT NULL,
    run_id               text        NOT NULL,
    checkpoint           text        NOT NULL,
    checkpoint_uri       text        NOT NULL,
    checkpoint_sha256    text        NOT NULL,
    step                 integer     NOT NULL,
    test_split_uri       text,
    test_split_sha256    text,
    test_examples        integer,
    metrics              text,
    per_label_f1         text,
    champion             text,
    report_uri           text,
    confusion_uri        text,
    reliability_uri      text,
    published_at         timestamptz
);
-- The same checkpoint is scored on the same test split once; failed attempts do not block a later one.
CREATE UNIQUE INDEX evaluation_scored_once ON evaluation (checkpoint_sha256, test_split_sha256)
    WHERE status = 'SUCCEEDED';
CREATE INDEX evaluation_by_model ON evaluation (model_name, occurred_at DESC);
CREATE INDEX evaluation_by_run ON evaluation (run_id, occurred_at DESC);

-- The production version of each model, as models.promoted last said.
CREATE TABLE champion (
    model_name     text PRIMARY KEY,
    version        integer     NOT NULL,
    package_uri    text        NOT NULL,
    package_sha256 text        NOT NULL,
    promoted_at    timestamptz NOT NULL,
    event_id       uuid        NOT NULL
);

-- A champion's predictions on a test split, so each (version, split) is scored once however many candidates come.
CREATE TABLE champion_score (
    model_name        text        NOT NULL,
    version           integer     NOT NULL,
    test_split_sha256 text        NOT NULL,
    package_sha256    text        NOT NULL,
    metrics           text        NOT NULL,
    predictions       text        NOT NULL,
    created_at        timestamptz NOT NULL,
    PRIMARY KEY (model_name, version, test_split_sha256)
);

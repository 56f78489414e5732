-- Registered models (one per data set name by default) and their versions with full lineage.
CREATE TABLE registered_model (
    name       text PRIMARY KEY,
    created_at timestamptz NOT NULL
);

CREATE TABLE model_version (
    model_name      text        NOT NULL REFERENCES registered_model (name),
    version         integer     NOT NULL,
    status          text        NOT NULL,          -- CANDIDATE, PROMOTED, REJECTED
    package_uri     text        NOT NULL,
    package_sha256  text        NOT NULL,
    dataset         text        NOT NULL,
    dataset_version integer     NOT NULL,
    manifest_uri    text        NOT NULL,
    run_id          text        NOT NULL,
    step            integer     NOT NULL,
    evaluation_id   text        NOT NULL UNIQUE,   -- exactly one decision per evaluation
    metrics         jsonb       NOT NULL,
    per_label_f1    jsonb       NOT NULL,
    champion        jsonb,
    report_uri      text,
    decision        jsonb       NOT NULL,          -- every rule's outcome
    tags            jsonb       NOT NULL DEFAULT '{}',
    correlation_id  text        NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (model_name, version)
);

-- Where each alias (production, staging, any other) points now.
CREATE TABLE model_alias (
    model_name text        NOT NULL REFERENCES registered_model (name),
    alias      text        NOT NULL,
    version    integer     NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (model_name, alias),
    FOREIGN KEY (model_name, version) REFERENCES model_version (model_name, version)
);

-- Append-only: every alias move, what, when, why, by which rule or by whom.
CREATE TABLE alias_audit (
    id           bigserial PRIMARY KEY,
    model_name   text        NOT NULL,
    alias        text        NOT NULL,
    from_version integer,
    to_version   integer     NOT NULL,
    trigger      text        NOT NULL,             -- POLICY, MANUAL, ROLLBACK
    reason       text        NOT NULL,
    actor        text        NOT NULL,
    at           timestamptz NOT NULL
);
CREATE INDEX alias_audit_model ON alias_audit (model_name, alias, id);

CREATE TABLE promotion_policy (
    model_name text PRIMARY KEY,
    policy     jsonb       NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Events written in the transaction of the decision they announce, relayed to Kafka after commit:
-- a crash between the two neither loses an event nor sends one for a decision that was rolled back.
CREATE TABLE outbox (
    id         bigserial PRIMARY KEY,
    topic      text        NOT NULL,
    record_key text        NOT NULL,
    payload    text        NOT NULL,
    created_at timestamptz NOT NULL,
    sent_at    timestamptz
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

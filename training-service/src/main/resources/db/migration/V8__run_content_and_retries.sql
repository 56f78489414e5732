-- A data set version is named by its data set, its number and its content: a data set deleted and created
-- again under the same name starts again at v1 with other content, which must be trained, while the same
-- content announced again (a replay with new event ids) must not. Rows from before this column was added
-- have '' and keep their old key.
ALTER TABLE training_run ADD COLUMN content_sha256 text NOT NULL DEFAULT '';
ALTER TABLE training_run ALTER COLUMN content_sha256 DROP DEFAULT;

-- A failed or cancelled run retried by hand (POST /runs/{id}/retry) is a new run with the same data set
-- version and hyperparameters: it names the run it retries, and each run is retried at most once (a retry
-- that fails is retried in turn), so two concurrent retries of one run cannot both queue.
ALTER TABLE training_run ADD COLUMN retry_of uuid REFERENCES training_run (id);
CREATE UNIQUE INDEX training_run_one_retry ON training_run (retry_of) WHERE retry_of IS NOT NULL;

-- The same version (by content) with the same configuration never trains twice, except as a retry.
ALTER TABLE training_run DROP CONSTRAINT training_run_natural_key;
CREATE UNIQUE INDEX training_run_natural_key ON training_run (dataset, dataset_version, content_sha256, config_hash)
    WHERE retry_of IS NULL;

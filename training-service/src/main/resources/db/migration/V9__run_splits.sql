-- The data set version's splits as datasets.prepared announced them: {"train": {"uri", "sha256", "examples"}, ...}.
-- The run verifies the train and validation splits' sha256 before it trains and writes all of them into the
-- lineage of every checkpoint it announces (evaluation-service reads the test split from there). Null on runs
-- queued before this column existed: such a run fails when claimed, saying so, instead of training on
-- unverified data or announcing a lineage without a test split.
ALTER TABLE training_run ADD COLUMN splits jsonb;

-- The splits of the candidate's lineage (JSON: name to uri, sha256, examples) as training.checkpoints carried them,
-- so that evaluations.completed, rebuilt from the row, carries the same lineage on to the registry. '{}' for
-- evaluations of candidates announced before lineages carried their splits.
ALTER TABLE evaluation ADD COLUMN lineage_splits text NOT NULL DEFAULT '{}';

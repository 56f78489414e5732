-- The splits of the version's lineage as evaluations.completed carried them (name to uri, sha256, examples): the
-- exact data the version was trained and tested on, announced again with every move of an alias to it. '{}' for
-- versions registered before lineages carried their splits.
ALTER TABLE model_version ADD COLUMN splits jsonb NOT NULL DEFAULT '{}';

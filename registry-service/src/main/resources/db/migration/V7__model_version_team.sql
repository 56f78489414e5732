-- The team owning a model and its versions: the team in the lineage of the evaluation that registered it (the team
-- owning the data set it was trained on). Models registered before lineages carried a team belong to no team
-- ('unassigned', only an admin acts on them) until a version with a team arrives.
ALTER TABLE model_version ADD COLUMN team text NOT NULL DEFAULT 'unassigned';
ALTER TABLE registered_model ADD COLUMN team text NOT NULL DEFAULT 'unassigned';
-- A policy may be set before the model's first version: until the model exists, the name belongs to the team
-- that set the policy (Registry.teamOf).
ALTER TABLE promotion_policy ADD COLUMN team text NOT NULL DEFAULT 'unassigned';

-- The team that owns the candidate's data set (and so the evaluation), from the lineage. Evaluations stored
-- before teams existed belong to 'unassigned', which only administrators (or read-across settings) reach.
ALTER TABLE evaluation ADD COLUMN team text NOT NULL DEFAULT 'unassigned';
CREATE INDEX evaluation_team ON evaluation (team);

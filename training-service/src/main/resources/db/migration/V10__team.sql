-- The team that owns a run: its data set's, from datasets.prepared. Runs queued before teams existed belong to
-- 'unassigned', which only administrators (or read-across settings) reach.
ALTER TABLE training_run ADD COLUMN team text NOT NULL DEFAULT 'unassigned';
CREATE INDEX training_run_team ON training_run (team);
-- The team that owns a training configuration; configurations set before teams existed are 'unassigned'.
ALTER TABLE training_config ADD COLUMN team text NOT NULL DEFAULT 'unassigned';

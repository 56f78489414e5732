-- The team that owns the data set (and every model trained from it): set by whatever first creates it (an
-- upload or a trigger setting, for the caller's team). Data sets made before teams existed belong to
-- 'unassigned', which only administrators (or read-across settings) reach.
ALTER TABLE dataset ADD COLUMN team text NOT NULL DEFAULT 'unassigned';
CREATE INDEX dataset_team ON dataset (team);

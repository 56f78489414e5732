-- Attempts whose instance stopped without ending the run (found by their lease running out): capped by
-- training.max-attempts, so a run that kills its JVM on every attempt fails instead of looping.
ALTER TABLE training_run ADD COLUMN interrupted_attempts integer NOT NULL DEFAULT 0;

-- Steps of a run whose update the non-finite guard skipped (a loss or gradient that was not finite), as its
-- heartbeat last reported them: a correct run keeps 0, so anything else is worth a look on GET /runs/{id}.
ALTER TABLE training_run ADD COLUMN skipped_steps bigint NOT NULL DEFAULT 0;

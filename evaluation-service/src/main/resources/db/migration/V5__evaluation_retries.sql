-- A failed evaluation retried by hand (POST /evaluations/{id}/retry) is a new row, scored again, that names the
-- failed one it retries.
ALTER TABLE evaluation ADD COLUMN retry_of text REFERENCES evaluation (id);

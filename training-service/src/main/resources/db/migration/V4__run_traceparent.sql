-- The W3C traceparent of the work that queued the run (a datasets.prepared record, or POST /runs), so the
-- run's events continue that trace whenever and wherever the run executes. Null for runs from before
-- tracing: they start a new trace.
ALTER TABLE training_run ADD COLUMN traceparent text;

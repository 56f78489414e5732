-- The W3C traceparent of the work that wrote the row, so the trace of a data set version goes on when the
-- row is used later on another thread: the relay sends an outbox event in the trace of the upload or record
-- that made the version, and a version cut from pending records continues the trace of the newest one.
-- Null for rows from before tracing: their work starts a new trace.
ALTER TABLE outbox_event ADD COLUMN traceparent text;
ALTER TABLE pending_example ADD COLUMN traceparent text;

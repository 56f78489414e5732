-- The W3C traceparent of the work that took the decision (an evaluations.completed record, or a promotion or
-- rollback request), so the relay sends models.promoted / models.rejected in that trace from its own thread.
-- Null for rows from before tracing: their send starts a new trace.
ALTER TABLE outbox ADD COLUMN traceparent text;

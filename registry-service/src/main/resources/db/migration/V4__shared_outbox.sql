-- The outbox every service keeps (libs/service-support, one shape everywhere). This table already had the
-- shape but for the event id, which the relay and the docs name events by: taken from each payload.
ALTER TABLE outbox ADD COLUMN event_id uuid;
UPDATE outbox SET event_id = (payload::jsonb ->> 'eventId')::uuid;
ALTER TABLE outbox ALTER COLUMN event_id SET NOT NULL;
ALTER TABLE outbox ADD CONSTRAINT outbox_event_id_key UNIQUE (event_id);

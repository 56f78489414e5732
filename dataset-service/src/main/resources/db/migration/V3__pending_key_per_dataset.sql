-- A record's Kafka coordinates identify it only while its topic lives: a topic that is deleted and
-- created again (or a new cluster) starts its offsets at 0 again, and a coordinate-only key silently
-- dropped the new records as "already pending". Scoping the key to the data set (the record key) keeps
-- redeliveries idempotent while a reused offset of another data set is accepted.
ALTER TABLE pending_example DROP CONSTRAINT pending_example_topic_kafka_partition_kafka_offset_key;
ALTER TABLE pending_example ADD CONSTRAINT pending_example_record UNIQUE (dataset, topic, kafka_partition, kafka_offset);

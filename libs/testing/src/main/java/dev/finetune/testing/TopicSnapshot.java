package dev.finetune.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a whole topic as it is now, outside any consumer group, so nothing the services consume is moved.
 * The end offsets are taken before reading, so "none" and "exactly N" mean every record written before
 * the call, not whatever a timed consume happened to return on a loaded machine.
 */
public final class TopicSnapshot {

    private TopicSnapshot() {
    }

    /** Every record on {@code topic}, from offset 0 to the end offsets taken when the read starts. */
    public static List<ConsumerRecord<String, String>> read(String bootstrapServers, String topic) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                    // The last poll may bring records written after the snapshot began: not part of it.
                    if (record.offset() < ends.get(new TopicPartition(topic, record.partition()))) {
                        records.add(record);
                    }
                }
            }
        }
        return records;
    }

    /** The values of every record on {@code topic} whose key is {@code key}, in offset order per partition. */
    public static List<String> values(String bootstrapServers, String topic, String key) {
        return read(bootstrapServers, topic).stream().filter(r -> key.equals(r.key())).map(ConsumerRecord::value)
                .toList();
    }
}

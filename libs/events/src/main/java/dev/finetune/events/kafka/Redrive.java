package dev.finetune.events.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Copies a dead-letter topic's records back to the topic each came from (its {@code dead-letter-topic} header), with
 * the original key, value and headers (the {@code dead-letter-*} ones left out, a {@code redriven-from} one added).
 * It reads up to the end the topic had when it started, as consumer group {@code redrive.<dead-letter topic>}, and
 * commits only what the broker acknowledged, so running it again copies only the dead letters that arrived since.
 * Re-driving is safe because the consumers are idempotent: an event whose id their inbox already holds is skipped,
 * and a label already in a version is a duplicate that changes no version (docs/operations.md#re-driving).
 * Plain kafka-clients, no framework, next to the topic names: {@code devstack.sh redrive} runs it, and so can any
 * JVM with kafka-clients on its classpath (a service image has it).
 */
public final class Redrive {

    public static final String DEAD_LETTER_PREFIX = "dead-letter-";
    public static final String REDRIVEN_FROM = "redriven-from";
    private static final Duration POLL = Duration.ofSeconds(1);

    private final String bootstrapServers;

    public Redrive(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** What one run copied, per source topic. */
    public record Outcome(String deadLetterTopic, Map<String, Integer> copied) {
        public int total() {
            return copied.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** Copies the records of {@code deadLetterTopic} not copied by an earlier run back to their source topics. */
    public Outcome run(String deadLetterTopic) {
        Map<String, Integer> copied = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(deadLetterTopic));
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
            List<PartitionInfo> infos = consumer.partitionsFor(deadLetterTopic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalArgumentException("no topic " + deadLetterTopic + " on " + bootstrapServers);
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new java.util.HashSet<>(partitions));
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata at = committed.get(partition);
                if (at == null) {
                    consumer.seekToBeginning(List.of(partition));
                } else {
                    consumer.seek(partition, at.offset());
                }
            }
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                List<Future<?>> sent = new ArrayList<>();
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() >= end.get(partition)) {
                        continue; // arrived after the start: the next run's
                    }
                    String source = sourceTopic(record);
                    sent.add(producer.send(new ProducerRecord<>(source, null, record.key(), record.value(),
                            redrivenHeaders(record))));
                    copied.merge(source, 1, Integer::sum);
                    done.put(partition, new OffsetAndMetadata(record.offset() + 1));
                }
                for (Future<?> f : sent) {
                    f.get();
                }
                if (!done.isEmpty()) {
                    consumer.commitSync(done);
                }
                // Stop reading a partition at the end it had at the start.
                for (TopicPartition partition : partitions) {
                    if (consumer.position(partition) >= end.get(partition)) {
                        consumer.pause(List.of(partition));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while re-driving " + deadLetterTopic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("re-driving " + deadLetterTopic + " failed; what was acknowledged is "
                    + "committed, run it again to copy the rest: " + e.getCause().getMessage(), e.getCause());
        }
        return new Outcome(deadLetterTopic, copied);
    }

    /** The record's {@code dead-letter-topic} header; a dead letter without one cannot be re-driven. */
    static String sourceTopic(ConsumerRecord<byte[], byte[]> record) {
        Header header = record.headers().lastHeader(DEAD_LETTER_PREFIX + "topic");
        if (header == null) {
            throw new IllegalArgumentException(record.topic() + " " + record.partition() + "@" + record.offset()
                    + " has no dead-letter-topic header: not a dead letter of this platform");
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private static RecordHeaders redrivenHeaders(ConsumerRecord<byte[], byte[]> record) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!header.key().startsWith(DEAD_LETTER_PREFIX)) {
                headers.add(header);
            }
        }
        headers.add(REDRIVEN_FROM, (record.topic() + "/" + record.partition() + "@" + record.offset())
                .getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private Properties consumerProperties(String deadLetterTopic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "redrive." + deadLetterTopic);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    private Properties producerProperties() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** {@code Redrive <dead-letter topic> [bootstrap servers]}; the servers default to KAFKA_BOOTSTRAP_SERVERS or localhost:9092. */
    public static void main(String[] args) {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: redrive <dead-letter topic> [bootstrap servers]");
            System.exit(2);
        }
        String servers = args.length == 2 ? args[1]
                : System.getenv().getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "localhost:9092");
        Outcome outcome = new Redrive(servers).run(args[0]);
        System.out.println("re-drove " + outcome.total() + " record(s) of " + outcome.deadLetterTopic()
                + (outcome.copied().isEmpty() ? "" : ": " + outcome.copied()));
    }
}

package dev.finetune.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.events.Topics;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StorageSettings;
import dev.finetune.storage.StoredObject;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real infrastructure the tests and the local stack stand on. */
class InfrastructureIT {

    @Test
    void theBrokerServesEveryPlatformTopicWithTheExpectedPartitions() {
        KafkaBroker broker = SharedInfrastructure.kafka();
        try (KafkaCompanion kafka = new KafkaCompanion(broker.bootstrapServers())) {
            Map<String, java.util.List<TopicPartitionInfo>> partitions = kafka.topics().describe(
                    Topics.all().toArray(String[]::new)).entrySet().stream()
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().partitions()));
            assertThat(partitions.keySet()).containsExactlyInAnyOrderElementsOf(Topics.all());
            assertThat(partitions.values()).allSatisfy(p -> assertThat(p).hasSize(Topics.DEFAULT_PARTITIONS));

            String labels = Topics.labelsIngest(FinetuneRealm.TEAM_A);
            assertThat(kafka.topics().describe(labels).get(labels).partitions()).hasSize(Topics.DEFAULT_PARTITIONS);
            kafka.produceStrings().fromRecords(new ProducerRecord<>(labels, "reviews", "hello"))
                    .awaitCompletion();
            ConsumerRecord<String, String> back = kafka.consumeStrings().fromTopics(labels, 1)
                    .awaitCompletion(Duration.ofSeconds(30)).getFirstRecord();
            assertThat(back.key()).isEqualTo("reviews");
            assertThat(back.value()).isEqualTo("hello");
        }
    }

    @Test
    void s3ProxyKeepsObjectsAcrossARestartAndLeavesNoProcessBehind(@TempDir Path directory) throws Exception {
        S3ProxyServer s3 = S3ProxyServer.start(0, directory, "key", "secret-key");
        long pid;
        try {
            ArtifactStore store = new ArtifactStore(
                    new StorageSettings(s3.endpoint(), "key", "secret-key", "it-bucket", "us-east-1"));
            store.ensureBucket();
            StoredObject stored = store.put("a/b.txt", "payload".getBytes(StandardCharsets.UTF_8), "text/plain");

            s3.stop();
            assertThat(s3.isRunning()).isFalse();
            assertThatThrownBy(() -> store.read(stored.uri())).isInstanceOf(RuntimeException.class);

            s3.restart();
            assertThat(new String(store.read(stored.uri()), StandardCharsets.UTF_8)).isEqualTo("payload");
            pid = childPids(directory).stream().findFirst().orElseThrow();
        } finally {
            s3.close();
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Files.readString(directory.resolve("s3proxy.conf"))).contains("jclouds.provider=filesystem");
    }

    private static java.util.List<Long> childPids(Path directory) {
        return ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().orElse("").contains(directory.toString()))
                .map(ProcessHandle::pid).toList();
    }
}

package dev.finetune.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.events.Topics;
import dev.finetune.testing.FreePort;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * A malformed record on every consumed topic, sent to the four services running as processes: each
 * consumer of the topic puts it in its own dead-letter topic with the reason, and every service stays
 * ready.
 */
class DeadLetterIT {

    @Test
    void aMalformedRecordOnEachConsumedTopicIsDeadLetteredWithItsReasonAndTheServicesStayReady() {
        Path root = Path.of(System.getProperty("devstack.root")).toAbsolutePath();
        StackSettings settings = new StackSettings(root, root.resolve("devstack/target/dlq-it"), "finetune_dlq_it",
                FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (DevStack stack = new DevStack(settings, new PrintStream(printed, true, StandardCharsets.UTF_8)).start();
                KafkaCompanion kafka = new KafkaCompanion(settings.bootstrapServers())) {
            String key = "poison-" + UUID.randomUUID().toString().substring(0, 8);
            for (String topic : Topics.CONSUMED.stream().map(Topics.Consumed::topic).distinct().toList()) {
                kafka.produceStrings().fromRecords(new ProducerRecord<>(topic, key, "{\"truncated\": ")).awaitCompletion();
            }
            for (Topics.Consumed consumed : Topics.CONSUMED) {
                ConsumerRecord<String, String> dead = kafka.consumeStrings()
                        .fromTopics(consumed.deadLetterTopic(), all -> all.select().where(r -> key.equals(r.key()))
                                .select().first())
                        .awaitCompletion(Duration.ofSeconds(90)).getFirstRecord();
                assertThat(dead.value()).as(consumed.deadLetterTopic()).isEqualTo("{\"truncated\": ");
                Header reason = dead.headers().lastHeader("dead-letter-reason");
                assertThat(reason).as("reason header on %s", consumed.deadLetterTopic()).isNotNull();
                assertThat(new String(reason.value(), StandardCharsets.UTF_8)).isNotBlank();
            }
            assertThat(stack.allReady()).isTrue();
        }
    }
}

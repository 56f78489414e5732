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
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The local stack as a user runs it: real broker, S3Proxy and PostgreSQL, the four services as their own
 * processes, each ready. A malformed record on every consumed topic is put by each consumer of the topic in
 * its own dead-letter topic with the reason, and every service stays ready. Nothing is left running once the
 * stack stops. Ports are free ones so the test never meets a stack a developer has running. (One stack for
 * both checks: starting one costs about 40 s of CI's time on 2 cores.)
 */
class DevStackIT {

    @Test
    void aMalformedRecordOnEachConsumedTopicIsDeadLetteredWithItsReasonAndNothingOutlivesTheStack() {
        Path root = Path.of(System.getProperty("devstack.root")).toAbsolutePath();
        StackSettings settings = new StackSettings(root, root.resolve("devstack/target/stack-it"), "finetune_stack_it",
                FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        List<Long> pids;
        try (DevStack stack = new DevStack(settings, new PrintStream(printed, true, StandardCharsets.UTF_8)).start();
                KafkaCompanion kafka = new KafkaCompanion(settings.bootstrapServers())) {
            assertThat(stack.allReady()).isTrue();
            pids = stack.pids();
            assertThat(pids).hasSize(DevStack.SERVICES.size() + 2);
            assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());

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
            assertThat(stack.allReady()).as("every service ready after the malformed records").isTrue();
        }

        String output = printed.toString(StandardCharsets.UTF_8);
        for (String service : DevStack.SERVICES) {
            assertThat(output).contains(service);
        }
        assertThat(output).contains("http://localhost:" + settings.registryPort());
        assertThat(pids).allSatisfy(pid ->
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d alive", pid).isFalse());
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList()).isEmpty();
    }
}

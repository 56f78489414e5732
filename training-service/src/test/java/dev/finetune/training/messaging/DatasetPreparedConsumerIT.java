package dev.finetune.training.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finetune.events.DocumentedExamples;
import dev.finetune.events.Topics;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.support.inbox.Inbox;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The consuming side of {@code datasets.prepared} through the real broker: valid events are accepted
 * once however often they are delivered, and a malformed record lands in the dead-letter topic with its
 * reason while the consumer keeps going.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class)
@WithTestResource(value = S3TestResource.class)
@WithTestResource(value = PostgresTestResource.class)
class DatasetPreparedConsumerIT {

    private static final String DLQ = Topics.deadLetter(Topics.DATASETS_PREPARED, "training-service");

    @Inject
    Inbox inbox;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void acceptsAnEventOnceAndDeadLettersAMalformedOne() {
        long before = inbox.count();
        String valid = withFreshEventId(DocumentedExamples.forTopic(Topics.DATASETS_PREPARED));
        String malformed = valid.replaceFirst("\"dataset\"\\s*:", "\"datasetName\":");
        String afterwards = withFreshEventId(valid);

        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(
                    new ProducerRecord<>(Topics.DATASETS_PREPARED, "reviews", valid),
                    new ProducerRecord<>(Topics.DATASETS_PREPARED, "reviews", valid), // redelivery
                    new ProducerRecord<>(Topics.DATASETS_PREPARED, "reviews", malformed),
                    new ProducerRecord<>(Topics.DATASETS_PREPARED, "reviews", afterwards))
                    .awaitCompletion();

            ConsumerRecord<String, String> dead = kafka.consumeStrings().fromTopics(DLQ, 1)
                    .awaitCompletion(Duration.ofSeconds(60)).getFirstRecord();
            assertThat(dead.key()).isEqualTo("reviews");
            assertThat(dead.value()).isEqualTo(malformed);
            assertThat(new String(dead.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8))
                    .contains("DatasetPrepared").contains("missing required field 'dataset'");
        }
        // The valid event counted once despite its redelivery, and the one after the poison record too.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(inbox.count()).isEqualTo(before + 2));
    }

    private static String withFreshEventId(String json) {
        return json.replaceFirst("\"eventId\"\\s*:\\s*\"[^\"]+\"", "\"eventId\": \"" + UUID.randomUUID() + "\"");
    }
}

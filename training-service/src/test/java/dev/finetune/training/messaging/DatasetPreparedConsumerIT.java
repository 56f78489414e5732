package dev.finetune.training.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Topics;
import dev.finetune.events.TrainingFailed;
import dev.finetune.support.inbox.Inbox;
import dev.finetune.support.metrics.ConsumerMetrics;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.testing.TopicSnapshot;
import dev.finetune.training.TrainingFixtures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The consuming side of {@code datasets.prepared} through the real broker: a redelivered event queues no
 * second run (checked on the runs and on the topics, not on the inbox table, whose primary key forbids a
 * second row anyway), and a malformed record lands in the dead-letter topic with its reason while the
 * consumer keeps going.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class)
@WithTestResource(value = S3TestResource.class)
@WithTestResource(value = PostgresTestResource.class)
class DatasetPreparedConsumerIT {

    private static final String DLQ = Topics.deadLetter(Topics.DATASETS_PREPARED, "training-service");

    @Inject
    Inbox inbox;

    @Inject
    MeterRegistry metrics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void aRedeliveredEventQueuesNoSecondRunAndAMalformedOneIsDeadLettered() {
        String dataset = "once-" + java.util.UUID.randomUUID();
        String valid = EventCodec.encode(TrainingFixtures.unstored(dataset, 1));
        String malformed = valid.replaceFirst("\"dataset\"\\s*:", "\"datasetName\":");
        String afterwards = EventCodec.encode(TrainingFixtures.unstored(dataset, 2));
        long inboxBefore = inbox.count();
        double processedBefore = records("processed");
        double deadLetteredBefore = records("dead_lettered");

        produce(dataset, valid);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(runsOf(dataset, 1)).hasSize(1));
        // A new configuration gives the version a new natural key: from here on, the same event processed
        // again would queue a second run of v1, so only the inbox stands between a redelivery and a duplicate.
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"seed\": 7}").put("/training-configs/" + dataset)
                .then().statusCode(200);

        // Same key, so the same partition: consumed in this order.
        produce(dataset, valid, malformed, afterwards);

        // The record after the redelivery and the poison one was accepted: the consumer has been past both.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(runsOf(dataset, 2)).hasSize(1));
        List<Map<String, Object>> v1 = runsOf(dataset, 1);
        assertThat(v1).as("runs of %s v1 after its event was delivered twice", dataset).hasSize(1);
        assertThat(((Map<?, ?>) v1.get(0).get("hyperparameters")).get("seed")).isEqualTo(42);

        // The splits named by these events do not exist: each run fails at once and says so on training.failed.
        // Runs are claimed oldest first, one at a time, so once v2's run has failed, a second v1 run would have too.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(failuresOf(dataset))
                .extracting(TrainingFailed::datasetVersion).contains(2));
        assertThat(failuresOf(dataset)).as("training.failed of %s", dataset)
                .extracting(TrainingFailed::datasetVersion).containsExactlyInAnyOrder(1, 2);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(TopicSnapshot.read(bootstrapServers, DLQ))
                .filteredOn(r -> malformed.equals(r.value())).hasSize(1));
        ConsumerRecord<String, String> dead = TopicSnapshot.read(bootstrapServers, DLQ).stream()
                .filter(r -> malformed.equals(r.value())).findFirst().orElseThrow();
        assertThat(dead.key()).isEqualTo(dataset);
        assertThat(new String(dead.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8))
                .contains("DatasetPrepared").contains("missing required field 'dataset'");
        // Two events accepted: v1 once despite its redelivery, and v2 after the poison record.
        assertThat(inbox.count()).isEqualTo(inboxBefore + 2);
        // And /q/metrics counts the four records: three processed (one of them the redelivery, skipped), one
        // dead-lettered.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(records("processed") - processedBefore).as("records processed").isEqualTo(3);
            assertThat(records("dead_lettered") - deadLetteredBefore).as("records dead-lettered").isEqualTo(1);
        });
    }

    /** The consumer's {@code consumer_records_total} for one outcome. */
    private double records(String outcome) {
        Counter counter = metrics.find(ConsumerMetrics.RECORDS)
                .tags("consumer", "DatasetPreparedConsumer.consume", "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aDataSetCreatedAgainUnderTheSameNameHasItsVersionTrainedAndTheSameContentAnnouncedAgainDoesNot() {
        String dataset = "recreated-" + java.util.UUID.randomUUID();
        DatasetPrepared first = TrainingFixtures.unstored(dataset, 1, "1".repeat(64));
        produce(dataset, EventCodec.encode(first));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(runsOf(dataset, 1)).hasSize(1));

        // The data set was deleted and created again: its v1 is other content, announced by a new event.
        DatasetPrepared recreated = TrainingFixtures.unstored(dataset, 1, "2".repeat(64));
        // Then the first content's event replayed with a new event id (a re-announcement, not a redelivery), the
        // recreated one redelivered, and a v2 to know when the consumer has been past them all.
        DatasetPrepared replayed = new DatasetPrepared(EventMeta.next("dataset-service", first.correlationId()),
                first.dataset(), first.team(), first.version(), first.manifestUri(), first.splits(), first.labels(),
                first.contentSha256());
        produce(dataset, EventCodec.encode(recreated), EventCodec.encode(replayed), EventCodec.encode(recreated),
                EventCodec.encode(TrainingFixtures.unstored(dataset, 2, "3".repeat(64))));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(runsOf(dataset, 2)).hasSize(1));
        assertThat(runsOf(dataset, 1)).as("runs of v1: one per content").hasSize(2);
        // Both were trained (their splits do not exist, so each failed at once, and said so).
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(failuresOf(dataset))
                .extracting(TrainingFailed::datasetVersion).containsExactlyInAnyOrder(1, 1, 2));
    }

    private void produce(String key, String... values) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(java.util.Arrays.stream(values)
                    .map(v -> new ProducerRecord<>(Topics.DATASETS_PREPARED, key, v)).toList())
                    .awaitCompletion();
        }
    }

    /** The runs of one data set version, as {@code GET /runs} lists them. */
    private static List<Map<String, Object>> runsOf(String dataset, int version) {
        JsonPath runs = given().auth().oauth2(TestTokens.teamA()).queryParam("dataset", dataset).get("/runs").then().statusCode(200).extract().jsonPath();
        return runs.<Map<String, Object>>getList("").stream()
                .filter(r -> ((Number) r.get("datasetVersion")).intValue() == version).toList();
    }

    private List<TrainingFailed> failuresOf(String dataset) {
        return TopicSnapshot.read(bootstrapServers, Topics.TRAINING_FAILED).stream()
                .map(r -> EventCodec.decode(r.value(), TrainingFailed.class))
                .filter(f -> dataset.equals(f.dataset())).toList();
    }
}

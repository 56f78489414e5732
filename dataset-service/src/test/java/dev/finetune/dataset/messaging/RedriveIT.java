package dev.finetune.dataset.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.dataset.Fixtures;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.Topics;
import dev.finetune.events.kafka.Redrive;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.testing.TopicSnapshot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Re-driving {@code dlq.dataset-service.labels.ingest} into {@code labels.ingest.team-a} with {@link Redrive}: each dead
 * letter goes back to its source topic once (a second run copies nothing of it), and labels that were already
 * applied change nothing: they are duplicates of the version that holds them, so no new version and no event.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class)
@WithTestResource(value = S3TestResource.class)
@WithTestResource(value = PostgresTestResource.class)
class RedriveIT {

    private static final String DLQ = Topics.deadLetter(Topics.LABELS_INGEST, "dataset-service");
    private static final int RECORDS = 8;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void reDrivingLabelsAlreadyInAVersionChangesNothing() {
        String name = Fixtures.name("redriven");
        Fixtures.createDataset(name);
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(IntStream.range(0, RECORDS)
                    .mapToObj(i -> new ProducerRecord<>(Fixtures.LABELS, name, value(i))).toList())
                    .awaitCompletion();
            awaitPending(name, RECORDS);
            given().auth().oauth2(TestTokens.teamA()).when().post("/datasets/{name}/prepare", name).then().statusCode(201).body("version", equalTo(1));

            // The same records in the dead-letter topic, as an exhausted retry leaves them (applied or not, the
            // operator cannot tell from the outside).
            kafka.produceStrings().fromRecords(IntStream.range(0, RECORDS)
                    .mapToObj(i -> new ProducerRecord<>(DLQ, null, name, value(i), deadLetterHeaders(i))).toList())
                    .awaitCompletion();
        }

        Redrive.Outcome first = new Redrive(bootstrapServers).run(DLQ);
        assertThat(first.copied()).containsKey(Fixtures.LABELS);
        assertThat(first.copied().get(Fixtures.LABELS)).isGreaterThanOrEqualTo(RECORDS);
        List<ConsumerRecord<String, String>> back = TopicSnapshot.read(bootstrapServers, Fixtures.LABELS).stream()
                .filter(r -> name.equals(r.key())).toList();
        assertThat(back).hasSize(2 * RECORDS);
        ConsumerRecord<String, String> redriven = back.get(back.size() - 1);
        assertThat(redriven.headers().lastHeader("dead-letter-reason")).isNull();
        assertThat(new String(redriven.headers().lastHeader(Redrive.REDRIVEN_FROM).value(), StandardCharsets.UTF_8))
                .startsWith(DLQ + "/");
        // A second run copies none of them again.
        new Redrive(bootstrapServers).run(DLQ);
        assertThat(TopicSnapshot.read(bootstrapServers, Fixtures.LABELS).stream()
                .filter(r -> name.equals(r.key()))).hasSize(2 * RECORDS);

        // Consumed again, they are pending; cutting a version from them finds nothing new.
        awaitPending(name, RECORDS);
        given().auth().oauth2(TestTokens.teamA()).when().post("/datasets/{name}/prepare", name).then().statusCode(200)
                .body("created", equalTo(false)).body("version", equalTo(1));
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().body("latestVersion", equalTo(1))
                .body("pending", equalTo(0));
        assertThat(Fixtures.exactlyPrepared(bootstrapServers, name, 1)).extracting(DatasetPrepared::version)
                .containsExactly(1);
    }

    private static String value(int i) {
        return "{\"text\":\"applied once " + i + "\",\"label\":\"" + Fixtures.label(i) + "\"}";
    }

    private static RecordHeaders deadLetterHeaders(int i) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("dead-letter-reason", "transient-exhausted: LabelIngestConsumer.store still failing"
                .getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-topic", Fixtures.LABELS.getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-partition", "0".getBytes(StandardCharsets.UTF_8));
        headers.add("dead-letter-offset", String.valueOf(i).getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    private static void awaitPending(String name, int pending) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(200).body("pending", equalTo(pending)));
    }
}

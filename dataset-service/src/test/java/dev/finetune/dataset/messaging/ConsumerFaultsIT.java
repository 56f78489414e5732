package dev.finetune.dataset.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.dataset.Fixtures;
import dev.finetune.dataset.preparation.ArtifactLayout;
import dev.finetune.dataset.split.Split;
import dev.finetune.events.Topics;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.support.retry.ConsumersRetryingCheck;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TcpProxy;
import dev.finetune.testing.TestTokens;
import dev.finetune.testing.TopicSnapshot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Faults around the consumers, with the real broker and PostgreSQL: labels streamed in while the database is away
 * (cut for 20 s through the test's proxy) are retried, not dead-lettered, and once it is back they become one
 * version holding each exactly once, with readiness DOWN meanwhile and UP after; a poison record goes to the
 * dead-letter topic at once, not after the retry window (%test: 2 minutes).
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class)
@WithTestResource(value = S3TestResource.class)
@WithTestResource(value = PostgresTestResource.class)
class ConsumerFaultsIT {

    private static final String RETRYING = "checks.find { it.name == '" + ConsumersRetryingCheck.NAME + "' }.status";
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final int RECORDS = 200;

    @Inject
    ArtifactStore store;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void labelsStreamedWhileTheDatabaseIsAwayBecomeTheirVersionOnceItIsBack() {
        String name = Fixtures.name("outage");
        given().auth().oauth2(TestTokens.teamA()).contentType("application/json")
                .body(Map.of("newExamples", RECORDS, "partialExamples", 1000, "partialAfter", "PT1H"))
                .when().put("/datasets/{name}/trigger", name).then().statusCode(200);
        String dlq = Topics.deadLetter(Topics.LABELS_INGEST, "dataset-service");

        TcpProxy database = PostgresTestResource.database();
        Instant cut = Instant.now();
        database.cut();
        try {
            produce(name, 0, RECORDS / 2);
            // The consumer meets the outage and waits it out: readiness says so.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    given().auth().oauth2(TestTokens.teamA()).get("/q/health/ready").then().statusCode(503).body(RETRYING, equalTo("DOWN")));
            produce(name, RECORDS / 2, RECORDS);
            // For the rest of the outage it stays so, and nothing is dead-lettered.
            Duration left = Duration.between(Instant.now(), cut.plus(OUTAGE));
            if (!left.isNegative() && !left.isZero()) {
                await().during(left).atMost(left.plusSeconds(30)).pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> {
                            given().auth().oauth2(TestTokens.teamA()).get("/q/health/ready").then().statusCode(503).body(RETRYING, equalTo("DOWN"));
                            assertThat(deadLetters(dlq, name)).isEmpty();
                        });
            }
        } finally {
            database.restore();
        }

        await().atMost(Duration.ofSeconds(180)).untilAsserted(() ->
                given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(200)
                        .body("latestVersion", equalTo(1)).body("pending", equalTo(0)));
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions", name).then().body("version", equalTo(List.of(1)));
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions/1", name).then().statusCode(200)
                .body("examples", equalTo(RECORDS))
                .body("lineage.kafka.records.sum()", equalTo(RECORDS));
        // Every record is in the version exactly once, across its three splits.
        Map<String, Integer> seen = new HashMap<>();
        for (Split split : Split.values()) {
            Fixtures.examples(store.read(store.uri(ArtifactLayout.split(name, 1, split))))
                    .keySet().forEach(text -> seen.merge(text, 1, Integer::sum));
        }
        assertThat(seen).hasSize(RECORDS).allSatisfy((text, times) -> assertThat(times).as(text).isEqualTo(1));
        assertThat(seen.keySet()).containsExactlyInAnyOrderElementsOf(
                IntStream.range(0, RECORDS).mapToObj(ConsumerFaultsIT::text).toList());
        assertThat(deadLetters(dlq, name)).isEmpty();
        assertThat(Fixtures.exactlyPrepared(bootstrapServers, name, 1)).hasSize(1);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().auth().oauth2(TestTokens.teamA()).get("/q/health/ready").then().statusCode(200).body(RETRYING, equalTo("UP")));
    }

    @Test
    void aPoisonRecordIsDeadLetteredAtOnceNotRetried() {
        String model = Fixtures.name("poison-model");
        String poison = "{\"eventId\": \"not even a uuid\", \"modelName\": \"" + model + "\"";
        String dlq = Topics.deadLetter(Topics.MODELS_PROMOTED, "dataset-service");
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.MODELS_PROMOTED, model, poison))
                    .awaitCompletion();
        }
        // Well within the retry window (2 minutes in %test): it was not retried.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(deadLetters(dlq, model)).hasSize(1));
        ConsumerRecord<String, String> dead = deadLetters(dlq, model).get(0);
        assertThat(dead.value()).isEqualTo(poison);
        String reason = new String(dead.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8);
        assertThat(reason).contains("ModelPromoted").doesNotStartWith("transient-exhausted");
        given().auth().oauth2(TestTokens.teamA()).get("/q/health/ready").then().body(RETRYING, equalTo("UP"));
    }

    private List<ConsumerRecord<String, String>> deadLetters(String topic, String key) {
        return new ArrayList<>(TopicSnapshot.read(bootstrapServers, topic).stream()
                .filter(r -> key.equals(r.key())).toList());
    }

    private static String text(int i) {
        return "streamed during the outage " + i;
    }

    private void produce(String name, int from, int to) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(IntStream.range(from, to)
                    .mapToObj(i -> new ProducerRecord<>(Fixtures.LABELS, name,
                            "{\"text\":\"" + text(i) + "\",\"label\":\"" + Fixtures.label(i) + "\",\"sourceId\":\"src-"
                                    + i + "\"}"))
                    .toList()).awaitCompletion();
        }
    }
}

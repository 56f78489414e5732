package dev.finetune.dataset;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Topics;
import dev.finetune.events.kafka.EventMessages;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StoredObject;
import dev.finetune.support.outbox.Outbox;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The ground every service stands on, checked against the real broker, S3Proxy and PostgreSQL: a keyed
 * event goes out through this service's outbox and channel and comes back from Kafka, an object
 * round-trips through the MinIO SDK, and the operational endpoints answer.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class)
@WithTestResource(value = S3TestResource.class)
@WithTestResource(value = PostgresTestResource.class)
class FoundationIT {

    @Inject
    Outbox outbox;

    @Inject
    ArtifactStore store;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void aKeyedEventGoesThroughTheServiceOutboxToKafka() throws Exception {
        String dataset = "reviews-" + UUID.randomUUID();
        DatasetPrepared event = new DatasetPrepared(EventMeta.next("dataset-service", dataset + "-v1"), dataset, FinetuneRealm.TEAM_A, 1,
                "s3://finetune/datasets/" + dataset + "/v1/manifest.json",
                Map.of("test", new DatasetPrepared.SplitRef("s3://finetune/t.jsonl.gz", "ab", 10)),
                List.of("negative", "positive"), "cd");

        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            ConsumerTask<String, String> records = kafka.consumeStrings()
                    .fromTopics(Topics.DATASETS_PREPARED,
                            all -> all.select().where(r -> dataset.equals(r.key())).select().first());
            QuarkusTransaction.requiringNew().run(() -> outbox.record(event));

            ConsumerRecord<String, String> received = records.awaitCompletion(Duration.ofSeconds(30)).getLastRecord();
            assertThat(received.key()).isEqualTo(dataset);
            assertThat(EventCodec.decode(received.value(), DatasetPrepared.class)).isEqualTo(event);
            assertThat(new String(received.headers().lastHeader(EventMessages.CORRELATION_ID_HEADER).value(),
                    StandardCharsets.UTF_8)).isEqualTo(dataset + "-v1");
        }
    }

    @Test
    void anObjectRoundTripsThroughTheMinioSdk() throws Exception {
        byte[] payload = new byte[12 * 1024 * 1024 + 17]; // more than one multipart part
        new Random(7).nextBytes(payload);
        String expectedSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));

        StoredObject stored = store.put("foundation/" + UUID.randomUUID() + ".bin", payload, "application/octet-stream");
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        String readSha = store.copyTo(stored.uri(), back);

        assertThat(stored.sha256()).isEqualTo(expectedSha);
        assertThat(stored.size()).isEqualTo(payload.length);
        assertThat(readSha).isEqualTo(expectedSha);
        assertThat(back.toByteArray()).isEqualTo(payload);
        assertThat(store.list(stored.uri().key().substring(0, stored.uri().key().lastIndexOf('/') + 1)))
                .contains(stored.uri().key());
    }

    @Test
    void readinessCoversKafkaTheDatabaseAndTheArtifactStore() {
        given().auth().oauth2(TestTokens.teamA()).when().get("/q/health/ready").then()
                .statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("artifact-store", "Database connections health check"))
                .body("checks.name", hasItems("SmallRye Reactive Messaging - readiness check"));
    }

    @Test
    void exposesMetricsAndOpenApi() {
        given().auth().oauth2(TestTokens.teamA()).when().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
        given().auth().oauth2(TestTokens.teamA()).when().get("/q/openapi").then().statusCode(200).body(containsString("dataset-service"));
    }
}

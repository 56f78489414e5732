package dev.finetune.evaluation.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.evaluation.EvaluationFixtures;
import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Topics;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StoredObject;
import dev.finetune.support.retry.ConsumersRetryingCheck;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3ProxyServer;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.SharedInfrastructure;
import dev.finetune.testing.TestTokens;
import dev.finetune.testing.TopicSnapshot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The artifact store away for 20 s while a candidate is to be scored (S3Proxy stopped, its data kept): the
 * evaluation waits it out, readiness check consumers-retrying is DOWN meanwhile, and once the store is back the
 * candidate is scored: one SUCCEEDED evaluation, no FAILED one, nothing dead-lettered.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class StorageOutageIT {

    private static final String RETRYING = "checks.find { it.name == '" + ConsumersRetryingCheck.NAME + "' }.status";
    private static final Duration OUTAGE = Duration.ofSeconds(20);

    @Inject
    ArtifactStore store;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @AfterEach
    void storeBack() {
        SharedInfrastructure.s3(); // restarts S3Proxy if the test left it stopped
    }

    @Test
    void aCandidateWhoseStoreIsAwayIsScoredOnceItIsBackNeverFailed() {
        String model = "outage-" + UUID.randomUUID();
        String run = "run-" + UUID.randomUUID();
        EvaluationFixtures.StoredDataset dataset = EvaluationFixtures.storeDataset(store, model);
        StoredObject checkpoint = store.put("models/" + run + "/ckpt-3/model.zip", EvaluationFixtures.candidatePackage(),
                "application/zip");
        CheckpointSaved event = EvaluationFixtures.checkpoint(model, dataset, run, checkpoint, 3, true, false);
        String dlq = Topics.deadLetter(Topics.TRAINING_CHECKPOINTS, "evaluation-service");

        S3ProxyServer s3 = SharedInfrastructure.s3();
        Instant stopped = Instant.now();
        s3.stop();
        try {
            try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
                kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.TRAINING_CHECKPOINTS, run,
                        EventCodec.encode(event))).awaitCompletion();
            }
            // The scoring met the outage and waits it out.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    given().auth().oauth2(TestTokens.teamA()).get("/q/health/ready").then().statusCode(503).body(RETRYING, equalTo("DOWN")));
            Duration left = Duration.between(Instant.now(), stopped.plus(OUTAGE));
            if (!left.isNegative() && !left.isZero()) {
                await().during(left).atMost(left.plusSeconds(30)).pollInterval(Duration.ofSeconds(1))
                        .untilAsserted(() -> {
                            given().auth().oauth2(TestTokens.teamA()).get("/q/health/ready").then().statusCode(503).body(RETRYING, equalTo("DOWN"));
                            assertThat(completed(model)).as("evaluations.completed during the outage").isEmpty();
                        });
            }
        } finally {
            s3.restart();
        }

        List<EvaluationCompleted> completed = await().atMost(Duration.ofMinutes(3))
                .until(() -> completed(model), events -> !events.isEmpty());
        assertThat(completed).hasSize(1);
        assertThat(completed.get(0).status()).as("reason: %s", completed.get(0).reason())
                .isEqualTo(EvaluationCompleted.Status.SUCCEEDED);
        assertThat(completed.get(0).lineage()).isEqualTo(event.lineage());
        given().auth().oauth2(TestTokens.teamA()).queryParam("run", run).get("/evaluations").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].status", equalTo("SUCCEEDED"));
        assertThat(TopicSnapshot.read(bootstrapServers, dlq).stream().filter(r -> run.equals(r.key()))).isEmpty();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                given().auth().oauth2(TestTokens.teamA()).get("/q/health/ready").then().statusCode(200).body(RETRYING, equalTo("UP")));
    }

    private List<EvaluationCompleted> completed(String model) {
        return TopicSnapshot.values(bootstrapServers, Topics.EVALUATIONS_COMPLETED, model).stream()
                .map(v -> EventCodec.decode(v, EvaluationCompleted.class)).toList();
    }
}

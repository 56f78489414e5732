package dev.finetune.training.health;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Topics;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3ProxyServer;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.SharedInfrastructure;
import dev.finetune.testing.TestTokens;
import dev.finetune.training.TrainingFixtures;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import dev.finetune.training.runner.RunExecutor;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The readiness check {@code training-progress} on a job that really hangs: its training thread waits
 * for S3 (stopped), while its heartbeat thread keeps the lease, so no takeover would rescue the run;
 * readiness reports the instance DOWN once the run has made no step for {@code training.stall-timeout},
 * and UP again when the run steps.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class TrainingProgressCheckIT {

    @Inject
    RunStore runs;

    @Inject
    RunExecutor executor;

    @Inject
    ArtifactStore store;

    @Inject
    EntityManager entityManager;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @ConfigProperty(name = "training.stall-timeout")
    Duration stallTimeout;

    @AfterEach
    void cleanUp() {
        SharedInfrastructure.s3(); // restarts S3Proxy if the test stopped it
        for (RunStatus status : List.of(RunStatus.QUEUED, RunStatus.RUNNING)) {
            runs.list(null, status, 100).forEach(r -> runs.requestCancel(r.id));
        }
        await().atMost(Duration.ofMinutes(2)).until(() -> executor.executing().isEmpty());
    }

    @Test
    void readinessIsDownWhileARunMakesNoStepAndUpWhenItStepsAgain() {
        String dataset = "stall-" + UUID.randomUUID();
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON)
                .body("{\"strategy\": \"full\", \"epochs\": 1, \"batchSize\": 2, \"maxLength\": 16, \"earlyStoppingPatience\": 0}")
                .put("/training-configs/" + dataset).then().statusCode(200);
        DatasetPrepared event = TrainingFixtures.prepared(store, dataset, 24);
        S3ProxyServer s3 = SharedInfrastructure.s3();
        s3.stop(); // the run's training thread will retry reading its split: no step, for minutes
        Run run;
        try {
            run = announce(event);
            await().atMost(Duration.ofSeconds(60)).until(() -> executor.executing().contains(run.id));
            assertThat(check()).containsEntry("status", "UP")
                    .extractingByKey("data").isEqualTo(Map.of("executing", 1, "stalled", 0));

            // Standing in for the stall timeout going by without a step (10 minutes is too long to wait):
            // the run's last step is now that long ago.
            Run before = backdateLastStep(run.id, stallTimeout.plusMinutes(1));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(check()).containsEntry("status", "DOWN")
                    .extractingByKey("data").isEqualTo(Map.of("executing", 1, "stalled", 1)));
            // Its heartbeat still renews the lease: no other instance would take the run over.
            await().atMost(Duration.ofSeconds(30)).until(() -> runs.find(run.id).orElseThrow().leaseUntil
                    .isAfter(before.leaseUntil));
            assertThat(runs.find(run.id).orElseThrow().step).isZero();
        } finally {
            s3.restart();
        }

        // S3 is back: the run reads its split and steps; the next heartbeat records it and readiness recovers.
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(check()).containsEntry("status", "UP")
                .extractingByKey("data").isEqualTo(Map.of("executing", 1, "stalled", 0)));
        assertThat(runs.find(run.id).orElseThrow().step).isPositive();
    }

    /** The {@code training-progress} entry of {@code GET /q/health/ready}. */
    private static Map<String, Object> check() {
        JsonPath health = given().auth().oauth2(TestTokens.teamA()).get("/q/health/ready").then().extract().jsonPath();
        return health.<Map<String, Object>>getList("checks").stream()
                .filter(c -> "training-progress".equals(c.get("name"))).findFirst().orElseThrow();
    }

    /** Publishes the event and returns the run its consumer queued. */
    private Run announce(DatasetPrepared event) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.DATASETS_PREPARED, event.dataset(),
                    EventCodec.encode(event))).awaitCompletion();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> !runs.list(event.dataset(), null, 10).isEmpty());
        List<Run> all = runs.list(event.dataset(), null, 10);
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    @Transactional
    Run backdateLastStep(UUID runId, Duration ago) {
        entityManager.createNativeQuery("UPDATE training_run SET progressed_at = now() - make_interval(secs => ?2) WHERE id = ?1")
                .setParameter(1, runId).setParameter(2, (double) ago.toSeconds()).executeUpdate();
        entityManager.clear();
        return Run.findById(runId);
    }
}

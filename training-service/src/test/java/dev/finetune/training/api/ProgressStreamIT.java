package dev.finetune.training.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Lineage;
import dev.finetune.events.PlatformEvent;
import dev.finetune.events.Topics;
import dev.finetune.events.TrainingCompleted;
import dev.finetune.events.TrainingProgress;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.training.TrainingFixtures;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import dev.finetune.training.progress.StreamGate;
import dev.finetune.training.runner.RunExecutor;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Progress streams of runs this instance does not execute: the runs stay queued here (the runner is stopped) while
 * their progress and end arrive on Kafka as another instance would send them. A stream follows them and ends on
 * the end event or, for a cancelled run (a cancel has no event), on the database's status; the streams an instance
 * serves at once are capped (429 with Retry-After), and a slot frees when its stream ends or its client goes away.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class ProgressStreamIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    RunStore runs;

    @Inject
    RunExecutor executor;

    @Inject
    StreamGate gate;

    @Inject
    KafkaClientService kafkaClients;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @TestHTTPResource("/runs")
    URI runsUri;

    private final List<EventStream> opened = new ArrayList<>();

    @BeforeEach
    void runElsewhere() {
        executor.stop(Duration.ofMinutes(1)); // this instance executes nothing: every run here runs "elsewhere"
        TrainingFixtures.awaitListening(kafkaClients);
        await().atMost(PATIENCE).until(() -> gate.available() == gate.max()); // no stream of an earlier test open
    }

    @AfterEach
    void cleanUp() {
        opened.forEach(EventStream::close);
        for (RunStatus status : List.of(RunStatus.QUEUED, RunStatus.RUNNING)) {
            runs.list(null, status, 100).forEach(r -> runs.requestCancel(r.id));
        }
        executor.start();
        await().atMost(PATIENCE).until(() -> executor.executing().isEmpty());
    }

    @Test
    void aStreamFollowsARunExecutedElsewhereAndEndsOnItsEndEvent() {
        Run run = queued("elsewhere-");
        EventStream stream = open(run.id);
        assertThat(stream.status()).isEqualTo(200);

        TrainingProgress first = progress(run, 1);
        TrainingProgress second = progress(run, 2);
        send(first);
        send(second);
        await().atMost(PATIENCE).until(() -> stream.items().size() == 2);
        assertThat(stream.ended()).isFalse();
        send(completed(run));

        await().atMost(PATIENCE).until(stream::ended);
        List<JsonNode> items = stream.items();
        assertThat(items).hasSize(3);
        assertThat(items.subList(0, 2)).extracting(i -> i.path("progress").path("eventId").asText())
                .containsExactly(first.eventId().toString(), second.eventId().toString());
        assertThat(items.get(2).path("finished").asText()).isEqualTo("SUCCEEDED");
        assertThat(runs.find(run.id).orElseThrow().status).as("ended by the event, not by the database")
                .isEqualTo(RunStatus.QUEUED);
        await().atMost(PATIENCE).until(() -> gate.available() == gate.max());
    }

    @Test
    void theStreamOfACancelledRunEndsWithCancelledThoughNoEventSaysSo() {
        Run run = queued("cancelled-");
        EventStream stream = open(run.id);
        assertThat(stream.status()).isEqualTo(200);

        given().auth().oauth2(TestTokens.teamA()).post("/runs/" + run.id + "/cancel").then().statusCode(202);

        await().atMost(PATIENCE).until(stream::ended);
        assertThat(stream.items()).singleElement()
                .satisfies(i -> assertThat(i.path("finished").asText()).isEqualTo("CANCELLED"));
    }

    @Test
    void streamsBeyondTheCapAre429WithRetryAfterAndSlotsFreeWhenStreamsEndOrClientsGoAway() {
        Run run = queued("capped-");
        List<EventStream> streams = new ArrayList<>();
        for (int i = 0; i < gate.max(); i++) {
            streams.add(open(run.id));
        }
        assertThat(streams).allSatisfy(s -> assertThat(s.status()).isEqualTo(200));
        assertThat(gate.available()).isZero();

        EventStream refused = open(run.id);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.header("Retry-After")).isEqualTo("5");
        assertThat(refused.problem().path("type").asText()).isEqualTo("https://finetune.dev/problems/too-many-streams");
        assertThat(refused.problem().path("detail").asText()).contains("at most " + gate.max());

        // A client going away frees its slot.
        streams.get(0).close();
        await().atMost(PATIENCE).until(() -> gate.available() == 1);
        assertThat(open(run.id).status()).isEqualTo(200);

        // The run's end ends every stream, and frees every slot.
        send(completed(run));
        await().atMost(PATIENCE).until(() -> gate.available() == gate.max());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(streams.subList(1, streams.size()))
                .allSatisfy(s -> assertThat(s.ended()).isTrue()));
    }

    /** A queued run of a new data set, which this instance (its runner stopped) does not execute. */
    private Run queued(String prefix) {
        String dataset = prefix + UUID.randomUUID();
        DatasetPrepared event = TrainingFixtures.unstored(dataset, 1);
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.DATASETS_PREPARED, dataset,
                    EventCodec.encode(event))).awaitCompletion();
        }
        await().atMost(PATIENCE).until(() -> !runs.list(dataset, null, 10).isEmpty());
        return runs.list(dataset, null, 10).get(0);
    }

    private EventStream open(UUID run) {
        EventStream stream = EventStream.open(runsUri.resolve("/runs/" + run + "/events"), TestTokens.teamA());
        opened.add(stream);
        return stream;
    }

    /** Progress as the instance executing the run sends it. */
    private static TrainingProgress progress(Run run, int step) {
        return new TrainingProgress(EventMeta.next("training-service", run.correlationId), run.id.toString(),
                run.modelName, step, 12, 0, 1.0 / step, 5e-5, 40.0, 3.0, 0L);
    }

    private static TrainingCompleted completed(Run run) {
        String checkpoint = "s3://finetune/models/" + run.id + "/ckpt-12/model.zip";
        Lineage best = new Lineage(run.dataset, FinetuneRealm.TEAM_A, run.datasetVersion, run.manifestUri,
                run.id.toString(), checkpoint, "0".repeat(64), 12, Map.of());
        return new TrainingCompleted(EventMeta.next("training-service", run.correlationId), run.modelName, best,
                Map.of("accuracy", 0.9), 12, 3.0);
    }

    private void send(PlatformEvent event) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(new ProducerRecord<>(event.topic(), event.key(),
                    EventCodec.encode(event))).awaitCompletion();
        }
    }
}

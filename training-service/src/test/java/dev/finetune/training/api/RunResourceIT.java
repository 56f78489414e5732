package dev.finetune.training.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Topics;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.training.TrainingFixtures;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import dev.finetune.training.runner.RunExecutor;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runs API through the real service, broker, S3Proxy and PostgreSQL: a run started by hand is queued
 * with its overrides and the same request again is refused; a queued run is cancelled at once and never
 * claimed; {@code GET /runs/{id}/events} streams a training run's progress as Kafka sees it and ends
 * with its outcome.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class RunResourceIT {

    @Inject
    RunStore runs;

    @Inject
    RunExecutor executor;

    @Inject
    ArtifactStore store;

    @Inject
    KafkaClientService kafkaClients;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @TestHTTPResource("/runs")
    URI runsUri;

    @AfterEach
    void cleanUp() {
        executor.start(); // a test that stopped the runner leaves it running for the next
        for (RunStatus status : List.of(RunStatus.QUEUED, RunStatus.RUNNING)) {
            runs.list(null, status, 100).forEach(r -> runs.requestCancel(r.id));
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> executor.executing().isEmpty());
    }

    @Test
    void postRunsQueuesARunWithItsOverridesAndTheSameRequestAgainIs409() {
        executor.stop(Duration.ofMinutes(1)); // the runs stay queued, as the answers show them
        String dataset = "manual-" + UUID.randomUUID();
        Run announced = announce(TrainingFixtures.unstored(dataset, 1));

        String body = "{\"dataset\": \"" + dataset + "\", \"version\": 1, \"hyperparameters\": {\"seed\": 7, \"epochs\": 1}}";
        io.restassured.response.ValidatableResponse created = given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body(body)
                .post("/runs").then().statusCode(201);
        String id = created.extract().path("id");
        created.header("Location", endsWith("/runs/" + id)).body("status", equalTo("queued"));
        given().auth().oauth2(TestTokens.teamA()).get("/runs/" + id).then().statusCode(200)
                .body("run.status", equalTo("queued"))
                .body("run.dataset", equalTo(dataset))
                .body("run.datasetVersion", equalTo(1))
                .body("run.hyperparameters.seed", equalTo(7))
                .body("run.hyperparameters.epochs", equalTo(1))
                .body("run.correlationId", startsWith("manual-"));

        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body(body).post("/runs").then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://finetune.dev/problems/run-exists"))
                .body("detail", equalTo("run " + id + " already trains this data set version with these hyperparameters"));
        // Without overrides the request asks for what the datasets.prepared event already queued.
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"dataset\": \"" + dataset + "\", \"version\": 1}").post("/runs")
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("run " + announced.id + " "));

        assertThat(runs.list(dataset, null, 10)).extracting(r -> r.id.toString())
                .containsExactlyInAnyOrder(announced.id.toString(), id);
    }

    @Test
    void aQueuedRunIsCancelledAtOnceAndNeverClaimed() {
        executor.stop(Duration.ofMinutes(1)); // nothing claims the run while it is cancelled
        String dataset = "cancel-queued-" + UUID.randomUUID();
        Run queued = announce(TrainingFixtures.unstored(dataset, 1));

        given().auth().oauth2(TestTokens.teamA()).post("/runs/" + queued.id + "/cancel").then().statusCode(202)
                .body("status", equalTo("cancelled"))
                .body("finishedAt", notNullValue());
        // A newer run of the version, to see the runner go past the cancelled one: it claims the oldest first.
        String newer = given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON)
                .body("{\"dataset\": \"" + dataset + "\", \"version\": 1, \"hyperparameters\": {\"seed\": 7}}")
                .post("/runs").then().statusCode(201).extract().path("id");
        executor.start();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> runs.find(UUID.fromString(newer)).orElseThrow().status == RunStatus.FAILED);

        Run cancelled = runs.find(queued.id).orElseThrow();
        assertThat(cancelled.status).isEqualTo(RunStatus.CANCELLED);
        assertThat(cancelled.attempts).as("times claimed").isZero();
        assertThat(cancelled.startedAt).isNull();
        for (String topic : List.of(Topics.TRAINING_PROGRESS, Topics.TRAINING_CHECKPOINTS, Topics.TRAINING_COMPLETED,
                Topics.TRAINING_FAILED)) {
            assertThat(TrainingFixtures.recordsOf(bootstrapServers, topic, queued.id)).as(topic).isEmpty();
        }
        given().auth().oauth2(TestTokens.teamA()).post("/runs/" + queued.id + "/cancel").then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://finetune.dev/problems/run-ended"))
                .body("detail", equalTo("run " + queued.id + " has already ended: CANCELLED"));
        // A cancelled run can be retried: a new queued run names it.
        given().auth().oauth2(TestTokens.teamA()).post("/runs/" + queued.id + "/retry").then().statusCode(201)
                .body("retryOf", equalTo(queued.id.toString())).body("status", equalTo("queued"));
    }

    @Test
    void theEventStreamFollowsATrainingRunInOrderAndEndsWithItsOutcome() throws Exception {
        String dataset = "stream-" + UUID.randomUUID();
        // One epoch of 12 steps (24 examples, batches of 2): a few progress intervals of real training.
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON)
                .body("{\"strategy\": \"full\", \"epochs\": 1, \"batchSize\": 2, \"maxLength\": 16, \"earlyStoppingPatience\": 0}")
                .put("/training-configs/" + dataset).then().statusCode(200);
        TrainingFixtures.awaitListening(kafkaClients); // the stream is fed from Kafka, read from its latest offset
        Run run = announce(TrainingFixtures.prepared(store, dataset, 24));
        // Open the stream as soon as the run is queued (items sent before a client connects are not replayed): on an
        // idle machine these 12 steps take about a second, less than waiting for the first step and then connecting.

        HttpRequest request = HttpRequest.newBuilder(runsUri.resolve("/runs/" + run.id + "/events"))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + TestTokens.teamA()).build();
        CompletableFuture<List<String>> stream = HttpClient.newHttpClient()
                .sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenApply(response -> {
                    assertThat(response.statusCode()).isEqualTo(200);
                    return response.body().filter(line -> line.startsWith("data:"))
                            .map(line -> line.substring("data:".length())).toList(); // returns when the stream ends
                });
        List<JsonNode> items = stream.get(5, TimeUnit.MINUTES).stream().map(RunResourceIT::json).toList();

        assertThat(items).as("stream items").hasSizeGreaterThanOrEqualTo(2);
        JsonNode last = items.get(items.size() - 1);
        assertThat(last.path("finished").asText()).isEqualTo("SUCCEEDED");
        assertThat(last.path("progress").isNull()).isTrue();
        List<JsonNode> progress = items.subList(0, items.size() - 1).stream().map(i -> i.path("progress")).toList();
        assertThat(progress).allSatisfy(p -> {
            assertThat(p.path("runId").asText()).isEqualTo(run.id.toString());
            assertThat(p.path("totalSteps").asInt()).isEqualTo(12);
        });
        assertThat(progress.stream().mapToInt(p -> p.path("step").asInt()).toArray()).isSorted().doesNotHaveDuplicates();
        // The same events as training.progress carries, in the same order: the last ones the run sent.
        // (progress is sent without waiting for the broker: give the last ones a moment to land)
        String[] streamed = progress.stream().map(p -> p.path("eventId").asText()).toArray(String[]::new);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_PROGRESS, run.id).stream()
                        .map(r -> json(r.value()).path("eventId").asText()).toList()).endsWith(streamed));
        assertThat(runs.find(run.id).orElseThrow().status).isEqualTo(RunStatus.SUCCEEDED);

        // An ended run answers its outcome at once, as the stream's one item.
        HttpResponse<String> ended = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(ended.body().lines().filter(l -> l.startsWith("data:")).map(l -> json(l.substring(5))))
                .singleElement().satisfies(i -> assertThat(i.path("finished").asText()).isEqualTo("SUCCEEDED"));
    }

    @Test
    void aFailedRunIsRetriedAsANewRunWithTheSameVersionAndHyperparametersAndOnlyOnce() {
        String dataset = "retry-" + UUID.randomUUID();
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON)
                .body("{\"strategy\": \"full\", \"epochs\": 1, \"batchSize\": 2, \"maxLength\": 16, \"seed\": 7}")
                .put("/training-configs/" + dataset).then().statusCode(200);
        // The version is announced with its splits' checksums, but its train split is not in S3: the run fails at
        // once, with the reason.
        DatasetPrepared version = TrainingFixtures.prepared(store, dataset, 24);
        store.delete(ObjectUri.parse(version.splits().get("train").uri()));
        Run earlier = announce(version);
        await().atMost(Duration.ofSeconds(60)).until(() -> runs.find(earlier.id).orElseThrow().status == RunStatus.FAILED);
        // The data set's configuration changes meanwhile: a retry keeps the values the earlier run used.
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"epochs\": 3, \"seed\": 99}")
                .put("/training-configs/" + dataset).then().statusCode(200);
        TrainingFixtures.prepared(store, dataset, 24); // the same splits are back (train: 24 examples, 12 steps)

        io.restassured.response.ValidatableResponse retried = given().auth().oauth2(TestTokens.teamA()).post("/runs/" + earlier.id + "/retry").then()
                .statusCode(201);
        String id = retried.extract().path("id");
        retried.header("Location", endsWith("/runs/" + id))
                .body("retryOf", equalTo(earlier.id.toString()))
                .body("dataset", equalTo(dataset))
                .body("datasetVersion", equalTo(1))
                .body("correlationId", equalTo(earlier.correlationId))
                .body("attempts", equalTo(0));
        assertThat(id).isNotEqualTo(earlier.id.toString());
        // Retried once: a second request names the retry.
        given().auth().oauth2(TestTokens.teamA()).post("/runs/" + earlier.id + "/retry").then().statusCode(409).contentType("application/problem+json")
                .body("detail", equalTo("run " + earlier.id + " was retried already as run " + id
                        + " (retry that one if it failed too)"));
        given().auth().oauth2(TestTokens.teamA()).post("/runs/" + UUID.randomUUID() + "/retry").then().statusCode(404)
                .contentType("application/problem+json");

        UUID retry = UUID.fromString(id);
        await().atMost(Duration.ofMinutes(5)).until(() -> runs.find(retry).orElseThrow().status.finished());
        Run done = runs.find(retry).orElseThrow();
        assertThat(done.status).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(done.hyperparameters).isEqualTo(runs.find(earlier.id).orElseThrow().hyperparameters);
        assertThat(done.totalSteps).as("one epoch of 12 steps, as the earlier run's configuration said").isEqualTo(12);
        given().auth().oauth2(TestTokens.teamA()).get("/runs/" + retry).then().statusCode(200)
                .body("run.retryOf", equalTo(earlier.id.toString()))
                .body("run.hyperparameters.seed", equalTo(7))
                .body("run.hyperparameters.epochs", equalTo(1));
        assertThat(runs.find(earlier.id).orElseThrow().status).isEqualTo(RunStatus.FAILED);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_COMPLETED, retry)).hasSize(1));
        assertThat(TrainingFixtures.recordsOf(bootstrapServers, Topics.TRAINING_FAILED, earlier.id)).hasSize(1);

        // Only a failed or cancelled run is retried.
        given().auth().oauth2(TestTokens.teamA()).post("/runs/" + retry + "/retry").then().statusCode(409).contentType("application/problem+json")
                .body("detail", equalTo("run " + retry + " is SUCCEEDED: only a failed or cancelled run can be retried"));
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

    private static JsonNode json(String text) {
        try {
            return EventCodec.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }
}

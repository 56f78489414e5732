package dev.finetune.registry;

import static dev.finetune.registry.RegistryFixtures.evaluation;
import static dev.finetune.testing.ProblemAssertions.assertProblem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.events.BatchPredictionCompleted;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Topics;
import dev.finetune.registry.batch.BatchPrediction;
import dev.finetune.registry.batch.BatchPredictions;
import dev.finetune.registry.batch.InputFormat;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StoredObject;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.testing.TopicSnapshot;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Batch predictions on real infrastructure: a file uploaded or named in the store is scored by the version asked for,
 * each row as {@code /predict} scores it, into JSON Lines in the store, its end announced on
 * {@code batch-predictions.completed}; a row that cannot be scored fails the job with its line and leaves no output;
 * a job whose instance went silent is taken over; requests that cannot start a job get a problem.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class BatchPredictionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] WORDS = {"recipe", "pasta", "goal", "match", "rain", "storm", "sunny", "striker",
            "dinner", "wind", "soup", "team"};

    @Inject
    ArtifactStore store;

    @Inject
    BatchPredictions jobs;

    @Inject
    EntityManager entityManager;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    KafkaCompanion kafka;

    @BeforeEach
    void setUp() {
        kafka = new KafkaCompanion(bootstrapServers);
    }

    @AfterEach
    void tearDown() {
        kafka.close();
    }

    @Test
    void anUploadedFileIsScoredRowByRowAsPredictScoresItAndItsEndIsAnnounced() throws Exception {
        String model = "batch-" + UUID.randomUUID();
        register(model);
        List<String> texts = texts(150);
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            jsonl.append(JSON.writeValueAsString(Map.of("id", "r-" + i, "text", texts.get(i)))).append('\n');
        }

        Response created = given().auth().oauth2(predictor()).contentType("application/x-ndjson").body(bytes(jsonl.toString()))
                .post("/models/" + model + "/batch-predictions");
        created.then().statusCode(202).body("status", equalTo("queued")).body("version", equalTo(1))
                .body("format", equalTo("jsonl"));
        String id = created.path("id");
        assertThat(created.header("Location")).endsWith("/models/" + model + "/batch-predictions/" + id);

        JsonNode done = awaitEnd(model, id);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.path("rowsScored").asLong()).isEqualTo(150);
        assertThat(done.path("progress").asDouble()).isEqualTo(1.0);
        List<JsonNode> predictions = predictions(model, id);
        assertThat(predictions).extracting(p -> p.path("row").asInt())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 150).boxed().toList());
        assertThat(predictions).extracting(p -> p.path("id").asText())
                .containsExactlyElementsOf(IntStream.range(0, 150).mapToObj(i -> "r-" + i).toList());
        assertSameAsPredict(model, "", texts, predictions);

        BatchPredictionCompleted event = EventCodec.decode(awaitRecords(model, 1).get(0), BatchPredictionCompleted.class);
        assertThat(event.status()).isEqualTo(BatchPredictionCompleted.Status.SUCCEEDED);
        assertThat(event.batchPredictionId()).isEqualTo(id);
        assertThat(event.correlationId()).isEqualTo(id);
        assertThat(event.rows()).isEqualTo(150);
        assertThat(event.version()).isEqualTo(1);
        assertThat(event.team()).isEqualTo(FinetuneRealm.TEAM_A);
        assertThat(event.outputUri()).isEqualTo(done.path("outputUri").asText());
        assertThat(event.inputUri()).isEqualTo("s3://" + store.bucket() + "/batch-predictions/" + id + "/input.jsonl");
    }

    @Test
    void aCsvFileInTheStoreIsScoredByTheVersionAskedFor() throws Exception {
        String model = "batch-csv-" + UUID.randomUUID();
        StoredObject[] packages = register(model);
        send(evaluation(model, packages[1].uri().toString(), packages[1].sha256(), null)); // v2, rejected
        awaitVersions(model, 2);
        List<String> texts = texts(40);
        StringBuilder csv = new StringBuilder("text,id\n");
        for (int i = 0; i < texts.size(); i++) {
            csv.append('"').append(texts.get(i).replace("\"", "\"\"")).append("\",c").append(i).append('\n');
        }
        String key = "batch-inputs/" + model + "/reviews.csv";
        store.put(key, csv.toString().getBytes(StandardCharsets.UTF_8), "text/csv");

        Response created = given().auth().oauth2(predictor()).contentType(ContentType.JSON)
                .body("{\"input\": \"s3://" + store.bucket() + "/" + key + "\"}")
                .post("/models/" + model + "/batch-predictions?version=2");
        created.then().statusCode(202).body("version", equalTo(2)).body("format", equalTo("csv"));

        JsonNode done = awaitEnd(model, created.path("id"));
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        List<JsonNode> predictions = predictions(model, created.path("id"));
        assertThat(predictions).extracting(p -> p.path("id").asText())
                .containsExactlyElementsOf(IntStream.range(0, 40).mapToObj(i -> "c" + i).toList());
        assertSameAsPredict(model, "?version=2", texts, predictions);
        given().auth().oauth2(predictor()).get("/models/" + model + "/batch-predictions").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].id", equalTo(created.path("id")));
    }

    @Test
    void aRowThatCannotBeScoredFailsTheJobNamingItsLineAndLeavesNoPredictions() throws Exception {
        String model = "batch-bad-" + UUID.randomUUID();
        register(model);
        StringBuilder jsonl = new StringBuilder();
        for (String text : texts(100)) {
            jsonl.append(JSON.writeValueAsString(Map.of("text", text))).append('\n');
        }
        jsonl.append("{\"review\": \"no text field\"}\n");

        String id = given().auth().oauth2(predictor()).contentType("application/x-ndjson").body(bytes(jsonl.toString()))
                .post("/models/" + model + "/batch-predictions").then().statusCode(202).extract().path("id");

        JsonNode done = awaitEnd(model, id);
        assertThat(done.path("status").asText()).isEqualTo("failed");
        assertThat(done.path("failureReason").asText()).isEqualTo("line 101: no \"text\" string");
        assertThat(done.path("outputUri").isNull()).isTrue();
        assertProblem(given().auth().oauth2(predictor()).get("/models/" + model + "/batch-predictions/" + id
                + "/predictions"), 409, "batch-prediction-not-succeeded")
                .body("detail", equalTo("batch prediction " + id + " is failed: line 101: no \"text\" string"));
        assertThat(store.list("batch-predictions/" + id + "/")).as("objects of the job: its input only")
                .containsExactly("batch-predictions/" + id + "/input.jsonl");
        BatchPredictionCompleted event = EventCodec.decode(awaitRecords(model, 1).get(0), BatchPredictionCompleted.class);
        assertThat(event.status()).isEqualTo(BatchPredictionCompleted.Status.FAILED);
        assertThat(event.reason()).isEqualTo("line 101: no \"text\" string");
        assertThat(event.outputUri()).isNull();
    }

    @Test
    void aJobWhoseInstanceWentSilentIsTakenOverAndOneOutOfAttemptsFails() throws Exception {
        String model = "batch-stale-" + UUID.randomUUID();
        register(model);
        String key = "batch-inputs/" + model + "/in.jsonl";
        store.put(key, "{\"text\": \"sunny and wind\"}\n{\"text\": \"the striker scored\"}\n".getBytes(StandardCharsets.UTF_8),
                "application/x-ndjson");
        // Claimed by instances that stopped ten minutes ago: one with attempts left, one at the cap (3).
        String resumed = silentJob(model, key, 1);
        String exhausted = silentJob(model, key, 3);

        JsonNode done = awaitEnd(model, resumed);
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.path("attempts").asInt()).isEqualTo(2);
        assertThat(predictions(model, resumed)).hasSize(2);
        JsonNode failed = awaitEnd(model, exhausted);
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("failureReason").asText())
                .isEqualTo("its instance stopped in each of its 3 attempts (registry.batch.max-attempts=3)");
        assertThat(awaitRecords(model, 2)).hasSize(2);
    }

    @Test
    void requestsThatCannotStartAJobGetAProblemAndStartNothing() {
        String model = "batch-refused-" + UUID.randomUUID();
        register(model);
        String jobs = "/models/" + model + "/batch-predictions";
        assertProblem(postJson(predictor(), jobs, "{\"input\": \"s3://" + store.bucket() + "/models/registry-it/1/model.zip\"}"),
                403, "batch-input-forbidden");
        assertProblem(postJson(predictor(), jobs, "{\"input\": \"s3://" + store.bucket() + "/batch-inputs/none.jsonl\"}"),
                400, "invalid-batch-input")
                .body("detail", equalTo("input s3://" + store.bucket() + "/batch-inputs/none.jsonl does not exist"));
        assertProblem(postJson(predictor(), jobs, "{\"input\": \"s3://" + store.bucket() + "/batch-inputs/x.txt\"}"),
                400, "invalid-batch-input");
        assertProblem(postJson(predictor(), jobs, "{\"input\": \"s3://b/batch-inputs/x.jsonl\", \"format\": \"xml\"}"),
                400, "invalid-batch-input").body("detail", equalTo("format must be jsonl or csv, was xml"));
        assertProblem(postJson(predictor(), jobs, "{\"input\": \"/tmp/x.jsonl\"}"), 400, "invalid-batch-input");
        assertProblem(postJson(predictor(), jobs, "{}"), 400, "invalid-batch-input");
        assertProblem(given().auth().oauth2(predictor()).contentType("application/x-ndjson").body(new byte[0])
                .post(jobs), 400, "invalid-batch-input");
        // Over registry.batch.max-input-bytes (1 MiB in tests).
        String tooLarge = ("{\"text\": \"" + "x".repeat(1000) + "\"}\n").repeat(1100);
        assertProblem(given().auth().oauth2(predictor()).contentType("application/x-ndjson").body(bytes(tooLarge))
                .post(jobs), 413, "batch-input-too-large");
        assertProblem(postJson(predictor(), "/models/no-such-model/batch-predictions",
                "{\"input\": \"s3://b/batch-inputs/x.jsonl\"}"), 404, "no-production-version");
        assertProblem(postJson(predictor(), jobs + "?version=9", "{\"input\": \"s3://b/batch-inputs/x.jsonl\"}"),
                404, "model-version-not-found");
        // Another team's predictor is told the model does not exist; a reader may not predict at all.
        String teamB = TestTokens.user(FinetuneRealm.PREDICTOR, FinetuneRealm.TEAM_B);
        assertProblem(postJson(teamB, jobs, "{\"input\": \"s3://b/batch-inputs/x.jsonl\"}"), 404, "model-not-found");
        assertProblem(given().auth().oauth2(teamB).get(jobs), 404, "model-not-found");
        postJson(TestTokens.user(FinetuneRealm.READER, FinetuneRealm.TEAM_A), jobs,
                "{\"input\": \"s3://b/batch-inputs/x.jsonl\"}").then().statusCode(403);
        assertProblem(given().auth().oauth2(predictor()).get(jobs + "/nope"), 404, "batch-prediction-not-found");

        given().auth().oauth2(predictor()).get(jobs).then().statusCode(200).body("size()", equalTo(0));
        assertThat(store.list("batch-predictions/")).as("no upload of a refused request was kept")
                .noneMatch(k -> k.endsWith("input.jsonl") && store.size(store.uri(k)).orElse(0L) > 1_000_000);
    }

    // ---- helpers

    private StoredObject[] register(String model) {
        StoredObject[] packages = RegistryFixtures.packages(store);
        send(evaluation(model, packages[0].uri().toString(), packages[0].sha256(), null));
        awaitVersions(model, 1);
        return packages;
    }

    private void awaitVersions(String model, int count) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> given().auth()
                .oauth2(TestTokens.teamA()).get("/models/" + model).then().extract().statusCode() == 200
                && given().auth().oauth2(TestTokens.teamA()).get("/models/" + model).path("versions.size()")
                .equals(count));
    }

    /** A job as an instance that stopped ten minutes ago left it: running, its heartbeat stale. */
    private String silentJob(String model, String key, int attempts) {
        BatchPrediction job = new BatchPrediction();
        job.id = UUID.randomUUID().toString();
        job.modelName = model;
        job.version = 1;
        job.team = FinetuneRealm.TEAM_A;
        job.format = InputFormat.JSONL;
        job.inputUri = "s3://" + store.bucket() + "/" + key;
        job.inputBytes = store.size(store.uri(key)).orElseThrow();
        job.createdBy = "someone";
        QuarkusTransaction.requiringNew().run(() -> {
            jobs.create(job);
            entityManager.createQuery("update BatchPrediction set status = ?1, owner = 'gone@host/1', attempts = ?2,"
                    + " heartbeatAt = ?3 where id = ?4").setParameter(1, BatchPrediction.Status.RUNNING)
                    .setParameter(2, attempts).setParameter(3, Instant.now().minus(Duration.ofMinutes(10)))
                    .setParameter(4, job.id).executeUpdate();
        });
        return job.id;
    }

    private JsonNode awaitEnd(String model, String id) {
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> JSON.readTree(
                given().auth().oauth2(predictor()).get("/models/" + model + "/batch-predictions/" + id).then()
                        .statusCode(200).extract().asString()),
                job -> List.of("succeeded", "failed").contains(job.path("status").asText()));
    }

    private List<JsonNode> predictions(String model, String id) {
        String body = given().auth().oauth2(predictor()).get("/models/" + model + "/batch-predictions/" + id
                + "/predictions").then().statusCode(200).contentType("application/x-ndjson").extract().asString();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (!line.isEmpty()) {
                lines.add(read(line));
            }
        }
        return lines;
    }

    /** Each row's label is /predict's for the same text, and every score within 1e-4 of /predict's. */
    private void assertSameAsPredict(String model, String query, List<String> texts, List<JsonNode> predictions)
            throws Exception {
        for (int start = 0; start < texts.size(); start += 64) {
            List<String> chunk = texts.subList(start, Math.min(texts.size(), start + 64));
            JsonNode answer = read(given().auth().oauth2(predictor()).contentType(ContentType.JSON)
                    .body(JSON.writeValueAsString(Map.of("inputs", chunk))).post("/models/" + model + "/predict" + query)
                    .then().statusCode(200).extract().asString()).path("predictions");
            for (int i = 0; i < chunk.size(); i++) {
                int row = start + i + 1;
                JsonNode batch = predictions.get(row - 1);
                JsonNode single = answer.get(i);
                assertThat(batch.path("label").asText()).as("row %d", row).isEqualTo(single.path("label").asText());
                assertThat(single.path("scores").size()).isEqualTo(RegistryFixtures.LABELS.size());
                single.path("scores").fields().forEachRemaining(score -> assertThat(
                        batch.path("scores").path(score.getKey()).asDouble()).as("row %d, %s", row, score.getKey())
                        .isCloseTo(score.getValue().asDouble(), within(1e-4)));
            }
        }
    }

    private static List<String> texts(int count) {
        return IntStream.range(0, count).mapToObj(i -> "the " + WORDS[i % WORDS.length] + " and the "
                + WORDS[(i * 7 + 3) % WORDS.length] + (i % 5 == 0 ? ", \"quoted\"" : "")).toList();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Response postJson(String token, String path, String body) {
        return given().auth().oauth2(token).contentType(ContentType.JSON).body(body).post(path);
    }

    private static String predictor() {
        return TestTokens.user(FinetuneRealm.PREDICTOR, FinetuneRealm.TEAM_A);
    }

    private void send(EvaluationCompleted... events) {
        kafka.produceStrings().fromRecords(Arrays.stream(events)
                .map(e -> new ProducerRecord<>(Topics.EVALUATIONS_COMPLETED, e.modelName(), EventCodec.encode(e)))
                .toList()).awaitCompletion();
    }

    private List<String> awaitRecords(String model, int count) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> TopicSnapshot.values(bootstrapServers, Topics.BATCH_PREDICTIONS_COMPLETED, model),
                        values -> values.size() >= count);
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

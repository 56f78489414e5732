package dev.finetune.dataset.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.finetune.dataset.Fixtures;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.DocumentedExamples;
import dev.finetune.events.Topics;
import dev.finetune.events.kafka.TraceContext;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.testing.TestTrace;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Uploads against the real broker, S3Proxy and PostgreSQL: JSON Lines and gzipped CSV become versions with
 * their objects in S3 and exactly one {@code datasets.prepared} record each, sent in the upload's trace;
 * version 2 keeps version 1's splits; identical content makes no version; a commit the database refuses
 * leaves no object, row or event; the read and delete API, and a delete leaves no row anywhere.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class)
@WithTestResource(value = S3TestResource.class)
@WithTestResource(value = PostgresTestResource.class)
class UploadIT {

    @Inject
    ArtifactStore store;

    @Inject
    AgroalDataSource db;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void aJsonLinesUploadBecomesAVersionWithItsObjectsAndOneEvent() throws Exception {
        String name = Fixtures.name("reviews");
        String body = Fixtures.jsonl(0, 60) + "{\"text\":\"\",\"label\":\"positive\"}\n" + Fixtures.row(3);

        Response created = given().auth().oauth2(TestTokens.teamA()).contentType("application/x-ndjson").body(body.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .when().post("/datasets/{name}/versions", name)
                .then().statusCode(201)
                .header("Location", org.hamcrest.Matchers.endsWith("/datasets/" + name + "/versions/1"))
                .body("version", equalTo(1))
                .body("examples", equalTo(60))
                .body("perLabel.positive", equalTo(30))
                .body("validation.rejected", equalTo(2))
                .body("validation.rejectedByReason.empty-text", equalTo(1))
                .body("validation.rejectedByReason.duplicate", equalTo(1))
                .body("links.report", equalTo("/datasets/" + name + "/versions/1/report"))
                .extract().response();
        Map<String, Integer> perSplit = created.path("perSplit");
        assertThat(perSplit.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(60);

        assertThat(store.list("datasets/" + name + "/v1/")).containsExactlyInAnyOrder(
                "datasets/" + name + "/v1/train.jsonl.gz", "datasets/" + name + "/v1/validation.jsonl.gz",
                "datasets/" + name + "/v1/test.jsonl.gz", "datasets/" + name + "/v1/quarantine.jsonl.gz",
                "datasets/" + name + "/v1/manifest.json");

        // Exactly one event: one record on the topic for the data set, through later relay rounds.
        List<DatasetPrepared> events = Fixtures.exactlyPrepared(bootstrapServers, name, 1);
        DatasetPrepared event = events.get(0);
        assertThat(event.version()).isEqualTo(1);
        assertThat(event.correlationId()).isEqualTo(name + "-v1");
        assertThat(event.labels()).containsExactly("negative", "positive");
        assertThat(event.manifestUri()).isEqualTo("s3://finetune/datasets/" + name + "/v1/manifest.json");
        for (Map.Entry<String, DatasetPrepared.SplitRef> split : event.splits().entrySet()) {
            byte[] downloaded = given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions/1/splits/{split}", name, split.getKey())
                    .then().statusCode(200).contentType("application/gzip").extract().asByteArray();
            assertThat(sha256(downloaded)).as(split.getKey()).isEqualTo(split.getValue().sha256());
            assertThat(Fixtures.examples(downloaded)).hasSize(split.getValue().examples());
            assertThat(store.exists(ObjectUri.parse(split.getValue().uri()))).isTrue();
        }
        // And one version.
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions", name).then().statusCode(200)
                .body("version", equalTo(List.of(1)));
    }

    @Test
    void theVersionIsAnnouncedInTheTraceOfItsUpload() {
        String name = Fixtures.name("traced");
        TestTrace trace = TestTrace.random();
        given().auth().oauth2(TestTokens.teamA()).header(TraceContext.TRACEPARENT_HEADER, trace.traceparent())
                .contentType("application/x-ndjson").body(Fixtures.jsonl(0, 20).getBytes(StandardCharsets.UTF_8))
                .when().post("/datasets/{name}/versions", name)
                .then().statusCode(201);
        // The outbox relay sends it later, from a thread of its own: the trace went through the outbox row.
        assertThat(TestTrace.traceIdOf(Fixtures.firstRecord(bootstrapServers, name))).isEqualTo(trace.traceId());
    }

    @Test
    void aGzippedCsvUploadWithChosenColumnsBecomesAVersion() {
        String name = Fixtures.name("tickets");
        StringBuilder csv = new StringBuilder("id;Ticket;Queue\n");
        for (int i = 0; i < 40; i++) {
            csv.append(i).append(";\"Printer on floor ").append(i).append(" is broken; again\";")
                    .append(i % 2 == 0 ? "hardware" : "software").append('\n');
        }
        given().auth().oauth2(TestTokens.teamA()).contentType("text/csv").body(Fixtures.gzip(csv.toString()))
                .queryParam("textColumn", "ticket").queryParam("labelColumn", "queue")
                .queryParam("sourceIdColumn", "id").queryParam("delimiter", ";")
                .when().post("/datasets/{name}/versions", name)
                .then().statusCode(201)
                .body("examples", equalTo(40))
                .body("labels", equalTo(List.of("hardware", "software")))
                .body("lineage.upload.format", equalTo("csv"))
                .body("lineage.upload.gzip", equalTo(true))
                .body("lineage.upload.sha256", equalTo(sha256(Fixtures.gzip(csv.toString()))));
        DatasetPrepared event = Fixtures.firstEvent(bootstrapServers, name);
        assertThat(event.splits().values().stream().mapToInt(DatasetPrepared.SplitRef::examples).sum()).isEqualTo(40);
    }

    @Test
    void versionTwoKeepsEveryExampleOfVersionOneInItsSplitAndIdenticalContentMakesNoVersion() {
        String name = Fixtures.name("stable");
        upload(name, Fixtures.jsonl(0, 120), "append").then().statusCode(201).body("version", equalTo(1));
        Map<String, String> v1 = splitOfEveryExample(name, 1);

        // Version 2: 40 of version 1's examples again (rejected as duplicates) and 80 new ones.
        upload(name, Fixtures.jsonl(80, 200), "append").then().statusCode(201)
                .body("version", equalTo(2))
                .body("examples", equalTo(200))
                .body("statistics.carriedOver", equalTo(120))
                .body("statistics.newExamples", equalTo(80))
                .body("validation.rejectedByReason.duplicate", equalTo(40))
                .body("lineage.previousVersion", equalTo(1));
        Map<String, String> v2 = splitOfEveryExample(name, 2);
        assertThat(v2).hasSize(200);
        v1.forEach((text, split) -> assertThat(v2.get(text)).as(text).isEqualTo(split));

        // The same rows again: nothing new, so no version and no event.
        upload(name, Fixtures.jsonl(150, 200), "append").then().statusCode(200)
                .body("created", equalTo(false)).body("version", equalTo(2));
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions", name).then().statusCode(200)
                .body("version", equalTo(List.of(1, 2)));
        // One record per version on the topic, none for the identical upload, none sent twice.
        assertThat(Fixtures.exactlyPrepared(bootstrapServers, name, 2)).extracting(DatasetPrepared::version)
                .containsExactly(1, 2);

        // Replacing with a subset makes version 3 with only those rows, each still in its old split.
        upload(name, Fixtures.jsonl(0, 50), "replace").then().statusCode(201)
                .body("version", equalTo(3)).body("examples", equalTo(50)).body("mode", equalTo("replace"));
        Map<String, String> v3 = splitOfEveryExample(name, 3);
        v3.forEach((text, split) -> assertThat(split).as(text).isEqualTo(v1.get(text)));
        assertThat(Fixtures.exactlyPrepared(bootstrapServers, name, 3)).extracting(DatasetPrepared::version)
                .containsExactly(1, 2, 3);
    }

    @Test
    void readsListsDownloadsTheQuarantineAndDeletes() {
        String name = Fixtures.name("lifecycle");
        upload(name, Fixtures.jsonl(0, 30) + "{\"text\":\"x\",\"label\":[1]}\n", "append").then().statusCode(201);

        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets").then().statusCode(200).body("name", hasItem(name));
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(200)
                .body("latestVersion", equalTo(1)).body("versions", equalTo(1)).body("pending", equalTo(0))
                .body("trigger.newExamples", notNullValue());
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions/1", name).then().statusCode(200)
                .body("statistics.perSplitAndLabel.train", notNullValue())
                .body("validation.samples[0].line", equalTo(31))
                .body("validation.samples[0].reason", equalTo("label-shape"));
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions/1/report", name).then().statusCode(200)
                .body("rejected", equalTo(1));
        byte[] quarantine = given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions/1/quarantine", name)
                .then().statusCode(200).extract().asByteArray();
        assertThat(gunzip(quarantine)).contains("\"line\":31").contains("label-shape");
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions/9", name).then().statusCode(404)
                .contentType("application/problem+json");

        given().auth().oauth2(TestTokens.teamA()).when().delete("/datasets/{name}", name).then().statusCode(204);
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(404);
        assertThat(store.list("datasets/" + name + "/")).isEmpty();
        Fixtures.assertNoRows(db, name);
    }

    @Test
    void deletingADataSetLeavesNoRowInAnyTableOfTheSchema() {
        String name = Fixtures.name("gone");
        upload(name, Fixtures.jsonl(0, 30), "append").then().statusCode(201).body("version", equalTo(1));
        upload(name, Fixtures.jsonl(30, 60), "append").then().statusCode(201).body("version", equalTo(2));
        given().auth().oauth2(TestTokens.teamA()).contentType("application/json").body(Map.of("newExamples", 1000, "partialExamples", 1000,
                        "partialAfter", "PT1H"))
                .when().put("/datasets/{name}/trigger", name).then().statusCode(200);
        // Records streamed in and still pending, so the delete has rows of every kind to remove.
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(java.util.stream.IntStream.range(100, 105)
                    .mapToObj(i -> new ProducerRecord<>(Fixtures.LABELS, name, Fixtures.row(i))).toList())
                    .awaitCompletion();
        }
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name)
                .then().statusCode(200).body("pending", equalTo(5)));
        Fixtures.exactlyPrepared(bootstrapServers, name, 2);
        assertThat(Fixtures.rowsMentioning(db, name)).as("before the delete")
                .containsKeys("dataset", "dataset_version", "pending_example");

        given().auth().oauth2(TestTokens.teamA()).when().delete("/datasets/{name}", name).then().statusCode(204);

        Fixtures.assertNoRows(db, name);
        assertThat(store.list("datasets/" + name + "/")).isEmpty();
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(404);
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets").then().statusCode(200).body("name", not(hasItem(name)));
    }

    @Test
    void anUploadWhoseCommitFailsLeavesNoObjectNoRowAndNoEvent() throws Exception {
        String name = Fixtures.name("uncommitted");
        // A real commit failure: the database refuses this data set's version row, after the objects are in
        // S3. The refusal waits on an advisory lock the test holds, so the test sees the objects first.
        try (Connection gate = db.getConnection(); Statement sql = gate.createStatement()) {
            sql.execute("SELECT pg_advisory_lock(" + COMMIT_GATE + ")");
            sql.execute("""
                    CREATE FUNCTION dataset.refuse_version() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.dataset = '%s' THEN
                            PERFORM pg_advisory_lock(%d);
                            PERFORM pg_advisory_unlock(%d);
                            RAISE EXCEPTION 'test: version rows of %s are refused';
                        END IF;
                        RETURN NEW;
                    END $$""".formatted(name, COMMIT_GATE, COMMIT_GATE, name));
            sql.execute("CREATE TRIGGER refuse_version BEFORE INSERT ON dataset.dataset_version "
                    + "FOR EACH ROW EXECUTE FUNCTION dataset.refuse_version()");
            try {
                CompletableFuture<ExtractableResponse<Response>> upload = CompletableFuture.supplyAsync(() ->
                        upload(name, Fixtures.jsonl(0, 40), "append").then().extract());
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(store.list(
                        "datasets/" + name + "/v1/")).as("objects written before the commit").hasSize(5)
                        .contains("datasets/" + name + "/v1/manifest.json"));

                sql.execute("SELECT pg_advisory_unlock(" + COMMIT_GATE + ")");
                ExtractableResponse<Response> failed = upload.get(90, TimeUnit.SECONDS);
                assertThat(failed.statusCode()).as(failed.asString()).isEqualTo(500);
                assertThat(store.list("datasets/" + name + "/")).as("objects after the failed commit").isEmpty();
                Fixtures.assertNoRows(db, name);
                Fixtures.assertNothingPrepared(bootstrapServers, List.of(name));
            } finally {
                sql.execute("SELECT pg_advisory_unlock_all()"); // the connection goes back to the pool
                sql.execute("DROP TRIGGER refuse_version ON dataset.dataset_version");
                sql.execute("DROP FUNCTION dataset.refuse_version()");
            }
        }
        // The same upload, once the database takes it, is version 1: the failure left nothing in its way.
        upload(name, Fixtures.jsonl(0, 40), "append").then().statusCode(201).body("version", equalTo(1));
        assertThat(store.list("datasets/" + name + "/v1/")).hasSize(5);
        assertThat(Fixtures.exactlyPrepared(bootstrapServers, name, 1)).extracting(DatasetPrepared::version)
                .containsExactly(1);
    }

    @Test
    void aDataSetThatTrainedAPromotedModelCannotBeDeleted() {
        String name = Fixtures.name("promoted");
        upload(name, Fixtures.jsonl(0, 20), "append").then().statusCode(201);
        String promoted = DocumentedExamples.forTopic(Topics.MODELS_PROMOTED)
                .replaceFirst("\"eventId\"\\s*:\\s*\"[^\"]+\"", "\"eventId\": \"" + UUID.randomUUID() + "\"")
                .replaceFirst("\"modelName\"\\s*:\\s*\"reviews\"", "\"modelName\": \"" + name + "-model\"")
                .replaceFirst("\"dataset\"\\s*:\\s*\"reviews\"", "\"dataset\": \"" + name + "\"");
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            // Delivered twice: the shared inbox accepts it once.
            for (int i = 0; i < 2; i++) {
                kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.MODELS_PROMOTED, name + "-model",
                        promoted)).awaitCompletion();
            }
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name)
                .then().body("referencedBy", hasItem(name + "-model:3 (data set version 3)")));
        String eventId = JsonPath.from(promoted).getString("eventId");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(inboxRows(eventId)).isEqualTo(1));
        given().auth().oauth2(TestTokens.teamA()).when().delete("/datasets/{name}", name).then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://finetune.dev/problems/dataset-referenced"));
        assertThat(store.list("datasets/" + name + "/")).isNotEmpty();
    }

    private long inboxRows(String eventId) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM inbox_event WHERE event_id = CAST(? AS uuid) AND topic = 'models.promoted'")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** An advisory lock key of the test's own database; the service's data set locks use two-int keys. */
    private static final long COMMIT_GATE = 4_200_001L;

    private static Response upload(String name, String jsonl, String mode) {
        return given().auth().oauth2(TestTokens.teamA()).contentType("application/x-ndjson").queryParam("mode", mode)
                .body(jsonl.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .when().post("/datasets/{name}/versions", name);
    }

    private static Map<String, String> splitOfEveryExample(String name, int version) {
        Map<String, String> out = new HashMap<>();
        for (String split : List.of("train", "validation", "test")) {
            byte[] gz = given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions/{v}/splits/{split}", name, version, split)
                    .then().statusCode(200).extract().asByteArray();
            Fixtures.examples(gz).keySet().forEach(text -> assertThat(out.put(text, split))
                    .as("'" + text + "' sits in one split only").isNull());
        }
        return out;
    }

    private static String gunzip(byte[] gz) {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.finetune.dataset.api;

import static dev.finetune.testing.ProblemAssertions.assertProblem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.dataset.Fixtures;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The bad-input suite: each upload fails with the documented problem+json (status, type, reason, line) and
 * leaves no object in S3, no row in PostgreSQL and no event on Kafka; so does an invalid {@code mode},
 * {@code delimiter} or trigger {@code partialAfter}.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class)
@WithTestResource(value = S3TestResource.class)
@WithTestResource(value = PostgresTestResource.class)
class BadInputIT {

    @Inject
    ArtifactStore store;

    @Inject
    AgroalDataSource db;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    record Case(String name, String contentType, byte[] body, int status, String type, String reason, Integer line) {
    }

    @Test
    void everyBadUploadGetsItsProblemAndLeavesNothingBehind() {
        byte[] binary = new byte[64 * 1024];
        new Random(1).nextBytes(binary);
        binary[0] = (byte) 0x89; // a PNG header: binary files hold NUL bytes early
        binary[1] = 'P';
        binary[5] = 0;
        byte[] latin1 = (Fixtures.jsonl(0, 4).replace("review", "r\u00e9sum\u00e9")).getBytes(StandardCharsets.ISO_8859_1);
        byte[] tenMegabyteLine = ("{\"text\":\"" + "a".repeat(10 * 1024 * 1024) + "\",\"label\":\"x\"}\n")
                .getBytes(StandardCharsets.UTF_8);
        // A gzip bomb: 128 MiB of one repeated row (twice %test's dataset.upload.max-bytes) compressed in memory
        // to a few hundred KB, well under the HTTP body limit; and more rows than dataset.upload.max-rows.
        String row = "{\"text\":\"" + "a".repeat(1000) + "\",\"label\":\"x\"}\n";
        byte[] gzipBomb = Fixtures.gzip(row.repeat(128 * 1024 * 1024 / row.length()));
        byte[] rowFlood = Fixtures.gzip("{\"text\":\"t\",\"label\":\"x\"}\n".repeat(150_000));

        List<Case> cases = List.of(
                new Case("malformed-json", "application/x-ndjson",
                        utf8(Fixtures.jsonl(0, 10) + "{\"text\": \"oops\", \"label\": \n" + Fixtures.jsonl(10, 20)),
                        400, "malformed-json", "malformed-json", 11),
                new Case("wrong-header", "text/csv", utf8("sentence,category\nhello,greeting\n"),
                        400, "wrong-header", "wrong-header", 1),
                new Case("binary", "application/x-ndjson", binary, 400, "binary-content", "binary-content", 1),
                new Case("latin1", "application/x-ndjson", latin1, 400, "no-usable-rows", "invalid-utf8", 1),
                new Case("empty", "application/x-ndjson", new byte[0], 400, "empty-body", "empty-body", null),
                new Case("single-label", "application/x-ndjson",
                        utf8(Fixtures.jsonl(0, 20).replace("negative", "positive")), 400, "single-label",
                        "single-label", null),
                new Case("ten-megabyte-line", "application/x-ndjson", tenMegabyteLine, 413, "line-too-long",
                        "line-too-long", 1),
                new Case("gzip-bomb", "application/x-ndjson", gzipBomb, 413, "upload-too-large",
                        "upload-too-large", null),
                new Case("row-flood", "application/x-ndjson", rowFlood, 413, "upload-too-large",
                        "upload-too-large", null),
                new Case("unsupported-type", "application/pdf", utf8("%PDF-1.7"), 415, "unsupported-format",
                        "unsupported-format", null));

        List<String> names = new ArrayList<>();
        for (Case c : cases) {
            String name = Fixtures.name("bad-" + c.name());
            names.add(name);
            ExtractableResponse<Response> problem = given().auth().oauth2(TestTokens.teamA()).contentType(c.contentType()).body(c.body())
                    .when().post("/datasets/{name}/versions", name)
                    .then().extract();
            assertThat(problem.statusCode()).as(c.name() + ": " + problem.asString()).isEqualTo(c.status());
            assertThat(problem.contentType()).as(c.name()).startsWith("application/problem+json");
            assertThat(problem.<String>path("type")).as(c.name())
                    .isEqualTo("https://finetune.dev/problems/" + c.type());
            assertThat(problem.<String>path("reason")).as(c.name()).isEqualTo(c.reason());
            assertThat(problem.<Integer>path("line")).as(c.name()).isEqualTo(c.line());
            assertThat(problem.<String>path("detail")).as(c.name()).isNotBlank();
            assertThat(problem.<String>path("instance")).as(c.name()).isEqualTo("/datasets/" + name + "/versions");

            assertThat(store.list("datasets/" + name + "/")).as(c.name() + ": objects").isEmpty();
            Fixtures.assertNoRows(db, name);
        }
        // None: no record on datasets.prepared for any of them, watched for more than two relay rounds.
        Fixtures.assertNothingPrepared(bootstrapServers, names);
    }

    @Test
    void anInvalidModeOrDelimiterIsRefusedWithItsProblemAndLeavesNothing() {
        String badMode = Fixtures.name("bad-mode");
        assertInvalidParameter(given().auth().oauth2(TestTokens.teamA()).contentType("application/x-ndjson").queryParam("mode", "merge")
                .body(utf8(Fixtures.jsonl(0, 10))).when().post("/datasets/{name}/versions", badMode).then().extract(),
                "/datasets/" + badMode + "/versions", "mode must be append or replace, got 'merge'");

        String badDelimiter = Fixtures.name("bad-delimiter");
        assertInvalidParameter(given().auth().oauth2(TestTokens.teamA()).contentType("text/csv").queryParam("delimiter", ":")
                .body(utf8("text:label\nhello:greeting\n")).when().post("/datasets/{name}/versions", badDelimiter)
                .then().extract(),
                "/datasets/" + badDelimiter + "/versions", "delimiter must be one of , ; | tab, got ':'");

        for (String name : List.of(badMode, badDelimiter)) {
            assertThat(store.list("datasets/" + name + "/")).as(name + ": objects").isEmpty();
            Fixtures.assertNoRows(db, name);
        }
        Fixtures.assertNothingPrepared(bootstrapServers, List.of(badMode, badDelimiter));
    }

    @Test
    void aTriggerWithAnInvalidPartialAfterIsRefusedAndNotStored() {
        String name = Fixtures.name("bad-trigger");
        assertInvalidParameter(given().auth().oauth2(TestTokens.teamA()).contentType("application/json")
                        .body(Map.of("newExamples", 10, "partialExamples", 5, "partialAfter", "ten minutes"))
                        .when().put("/datasets/{name}/trigger", name).then().extract(),
                "/datasets/" + name + "/trigger",
                "partialAfter must be an ISO-8601 duration such as PT10M, got 'ten minutes'");
        Fixtures.assertNoRows(db, name);

        // A negative duration parses but is no trigger either; a data set's stored trigger stays as it was.
        given().auth().oauth2(TestTokens.teamA()).contentType("application/json").body(Map.of("newExamples", 10, "partialExamples", 5,
                "partialAfter", "PT30S")).when().put("/datasets/{name}/trigger", name).then().statusCode(200);
        ExtractableResponse<Response> negative = given().auth().oauth2(TestTokens.teamA()).contentType("application/json")
                .body(Map.of("newExamples", 7, "partialExamples", 3, "partialAfter", "-PT1M"))
                .when().put("/datasets/{name}/trigger", name).then().extract();
        assertThat(negative.statusCode()).as(negative.asString()).isEqualTo(400);
        assertThat(negative.contentType()).startsWith("application/problem+json");
        assertThat(negative.<String>path("type")).isEqualTo("https://finetune.dev/problems/invalid-parameter");
        assertThat(negative.<String>path("detail")).contains("T=PT-1M");
        assertTriggerStayed(name);
    }

    @Test
    void aTriggerBodyThatIsMissingUnknownMistypedOrOutOfBoundsIsRefusedAndChangesNothing() {
        String name = Fixtures.name("bad-trigger-body");
        given().auth().oauth2(TestTokens.teamA()).contentType("application/json").body(Map.of("newExamples", 10, "partialExamples", 5,
                "partialAfter", "PT30S")).when().put("/datasets/{name}/trigger", name).then().statusCode(200);
        Map<String, Object[]> refused = new java.util.LinkedHashMap<>();
        refused.put("missing-body", new Object[] {"", null});
        refused.put("unknown-field", new Object[] {"{\"newExamples\": 7, \"newExample\": 7}", "newExample"});
        refused.put("wrong-json-type", new Object[] {"{\"newExamples\": \"seven\"}", "newExamples"});
        refused.put("unreadable-json", new Object[] {"{\"newExamples\": ", null});
        refused.put("invalid-parameter", new Object[] {"{\"newExamples\": 10000001}", null});
        refused.forEach((kind, bodyAndField) -> {
            ExtractableResponse<Response> problem = given().auth().oauth2(TestTokens.teamA()).contentType("application/json")
                    .body((String) bodyAndField[0]).when().put("/datasets/{name}/trigger", name).then().extract();
            assertThat(problem.statusCode()).as(kind + ": " + problem.asString()).isEqualTo(400);
            assertThat(problem.contentType()).as(kind).startsWith("application/problem+json");
            assertThat(problem.<String>path("type")).as(kind).isEqualTo("https://finetune.dev/problems/" + kind);
            assertThat(problem.<String>path("field")).as(kind).isEqualTo(bodyAndField[1]);
            assertThat(problem.<String>path("instance")).as(kind).isEqualTo("/datasets/" + name + "/trigger");
        });
        assertTriggerStayed(name);
    }

    @Test
    void eachMissingThingHasAKindOfItsOwn() {
        String name = Fixtures.name("missing");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/datasets/{name}", name), 404, "dataset-not-found");
        // A version of a data set that does not exist (or that the caller may not read) is the data set missing.
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/datasets/{name}/versions/7", name), 404, "dataset-not-found");
        given().auth().oauth2(TestTokens.teamA()).contentType("application/x-ndjson").body(utf8(Fixtures.jsonl(0, 20)))
                .when().post("/datasets/{name}/versions", name).then().statusCode(201);
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/datasets/{name}/versions/7", name), 404, "version-not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/datasets/{name}/versions/1/splits/holdout", name), 404, "split-not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/datasets/{name}/nothing-here", name), 404, "not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType("application/x-ndjson").body(utf8(Fixtures.jsonl(0, 10)))
                .when().post("/datasets/{name}/versions", "Not A Name"), 400, "invalid-name");
    }


    /** The trigger the test stored first (10, 5, PT30S), untouched by what was refused after it. */
    private static void assertTriggerStayed(String name) {
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(200)
                .body("trigger.newExamples", org.hamcrest.Matchers.equalTo(10))
                .body("trigger.partialExamples", org.hamcrest.Matchers.equalTo(5))
                .body("trigger.partialAfter", org.hamcrest.Matchers.equalTo("PT30S"));
    }

    private static void assertInvalidParameter(ExtractableResponse<Response> problem, String instance, String detail) {
        assertThat(problem.statusCode()).as(problem.asString()).isEqualTo(400);
        assertThat(problem.contentType()).startsWith("application/problem+json");
        assertThat(problem.<String>path("type")).isEqualTo("https://finetune.dev/problems/invalid-parameter");
        assertThat(problem.<String>path("reason")).isEqualTo("invalid-parameter");
        assertThat(problem.<Integer>path("status")).isEqualTo(400);
        assertThat(problem.<String>path("title")).isNotBlank();
        assertThat(problem.<String>path("detail")).isEqualTo(detail);
        assertThat(problem.<String>path("instance")).isEqualTo(instance);
        assertThat(problem.<Integer>path("line")).isNull();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

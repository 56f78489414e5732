package dev.finetune.dataset.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.dataset.Fixtures;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * One build of a data set at a time: while a build holds the data set, another upload (or prepare, or
 * delete) of it waits {@code dataset.build.lock-timeout} and is answered {@code 409 busy}, leaving the first
 * build to finish as version 1 with one event. The first build is held in its commit by the test's database
 * (a trigger waiting on an advisory lock the test holds), so the data set is busy for as long as the test
 * says.
 */
@QuarkusTest
@TestProfile(DatasetBusyIT.ShortLockTimeout.class)
@WithTestResource(value = KafkaTestResource.class)
@WithTestResource(value = S3TestResource.class)
@WithTestResource(value = PostgresTestResource.class)
class DatasetBusyIT {

    /** Waiting the default two minutes for a lock would make the test as long. */
    public static class ShortLockTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("dataset.build.lock-timeout", "2s");
        }
    }

    /** An advisory lock key of the test's own database; the service's data set locks use two-int keys. */
    private static final long COMMIT_GATE = 4_200_002L;

    @Inject
    ArtifactStore store;

    @Inject
    AgroalDataSource db;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void anotherBuildOfABusyDataSetIsAnswered409BusyAndTheFirstFinishes() throws Exception {
        String name = Fixtures.name("busy");
        try (Connection gate = db.getConnection(); Statement sql = gate.createStatement()) {
            sql.execute("SELECT pg_advisory_lock(" + COMMIT_GATE + ")");
            sql.execute("""
                    CREATE FUNCTION dataset.hold_version() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        IF NEW.dataset = '%s' THEN
                            PERFORM pg_advisory_lock(%d);
                            PERFORM pg_advisory_unlock(%d);
                        END IF;
                        RETURN NEW;
                    END $$""".formatted(name, COMMIT_GATE, COMMIT_GATE));
            sql.execute("CREATE TRIGGER hold_version BEFORE INSERT ON dataset.dataset_version "
                    + "FOR EACH ROW EXECUTE FUNCTION dataset.hold_version()");
            try {
                CompletableFuture<ExtractableResponse<Response>> first = CompletableFuture.supplyAsync(() ->
                        upload(name, Fixtures.jsonl(0, 40)).then().extract());
                // The first build has written its objects and waits in its commit, holding the data set.
                await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(store.list(
                        "datasets/" + name + "/v1/")).contains("datasets/" + name + "/v1/manifest.json"));

                long started = System.nanoTime();
                upload(name, Fixtures.jsonl(40, 80)).then().statusCode(409)
                        .contentType("application/problem+json")
                        .body("type", equalTo("https://finetune.dev/problems/busy"))
                        .body("status", equalTo(409))
                        .body("instance", equalTo("/datasets/" + name + "/versions"))
                        .body("detail", equalTo("another version of data set '" + name
                                + "' is being prepared; waited PT2S"));
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("waited for the lock first")
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
                given().auth().oauth2(TestTokens.teamA()).when().delete("/datasets/{name}", name).then().statusCode(409)
                        .contentType("application/problem+json")
                        .body("type", equalTo("https://finetune.dev/problems/busy"));
                assertThat(first).as("the first build is still held").isNotDone();

                sql.execute("SELECT pg_advisory_unlock(" + COMMIT_GATE + ")");
                ExtractableResponse<Response> created = first.get(90, TimeUnit.SECONDS);
                assertThat(created.statusCode()).as(created.asString()).isEqualTo(201);
                assertThat(created.<Integer>path("version")).isEqualTo(1);
                assertThat(created.<Integer>path("examples")).isEqualTo(40);
            } finally {
                sql.execute("SELECT pg_advisory_unlock_all()"); // the connection goes back to the pool
                sql.execute("DROP TRIGGER hold_version ON dataset.dataset_version");
                sql.execute("DROP FUNCTION dataset.hold_version()");
            }
        }
        // The refused upload made nothing: one version, one event; and the data set is free again.
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions", name).then().statusCode(200)
                .body("version", equalTo(List.of(1)));
        assertThat(Fixtures.exactlyPrepared(bootstrapServers, name, 1)).extracting(DatasetPrepared::version)
                .containsExactly(1);
        upload(name, Fixtures.jsonl(40, 80)).then().statusCode(201).body("version", equalTo(2));
    }

    private static Response upload(String name, String jsonl) {
        return given().auth().oauth2(TestTokens.teamA()).contentType("application/x-ndjson").body(jsonl.getBytes(StandardCharsets.UTF_8))
                .when().post("/datasets/{name}/versions", name);
    }
}

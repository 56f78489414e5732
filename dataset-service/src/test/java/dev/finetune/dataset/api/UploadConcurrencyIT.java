package dev.finetune.dataset.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.dataset.Fixtures;
import dev.finetune.dataset.ingest.UploadGate;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Uploads are bounded: an instance whose upload slots are all taken answers 429 {@code too-many-uploads} with
 * Retry-After and stores nothing; and an upload whose client is still sending holds neither the data set's lock
 * nor the database connection the lock is held on, so other work on the same data set goes ahead meanwhile. The
 * test holds the slots itself, and holds the slow client's body until it says, so neither case races.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class)
@WithTestResource(value = S3TestResource.class)
@WithTestResource(value = PostgresTestResource.class)
class UploadConcurrencyIT {

    @Inject
    UploadGate gate;

    @Inject
    ArtifactStore store;

    @Inject
    AgroalDataSource db;

    @TestHTTPResource("/datasets")
    URI datasets;

    @Test
    void aFullInstanceAnswers429WithRetryAfterStoresNothingAndTakesTheNextOnceASlotFrees() {
        String name = Fixtures.name("full");
        int held = 0;
        try {
            while (gate.tryEnter()) {
                held++;
            }
            assertThat(held).as("dataset.upload.max-concurrent's default").isEqualTo(4);
            upload(name, Fixtures.jsonl(0, 40)).then().statusCode(429).header("Retry-After", "1")
                    .contentType("application/problem+json")
                    .body("type", equalTo("https://finetune.dev/problems/too-many-uploads"))
                    .body("status", equalTo(429))
                    .body("instance", equalTo("/datasets/" + name + "/versions"))
                    .body("detail", equalTo("this instance takes at most 4 uploads at once"
                            + " (dataset.upload.max-concurrent); retry shortly"));
            assertThat(store.list("datasets/" + name + "/")).as("objects").isEmpty();
            Fixtures.assertNoRows(db, name);

            gate.release();
            held--;
            upload(name, Fixtures.jsonl(0, 40)).then().statusCode(201).body("version", equalTo(1));
        } finally {
            for (; held > 0; held--) {
                gate.release();
            }
        }
        assertThat(gate.available()).as("the refused and the admitted upload left every slot free").isEqualTo(4);
    }

    @Test
    void anUploadWhoseClientIsStillSendingHoldsNeitherTheLockNorAConnection() throws Exception {
        String name = Fixtures.name("slow");
        // More than the server buffers before it hands the body to the resource as a stream; then a pause.
        HeldBody body = new HeldBody(Fixtures.jsonl(100, 2100), Fixtures.jsonl(2100, 2200));
        HttpRequest request = HttpRequest.newBuilder(URI.create(datasets + "/" + name + "/versions"))
                .header("Authorization", "Bearer " + TestTokens.teamA())
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> body)).build();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        CompletableFuture<HttpResponse<String>> slow;
        try {
            slow = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(gate.available()).as("the slow upload is being spooled").isEqualTo(3));

            // The data set is not locked by the upload in flight: another upload of it is made at once (with the
            // lock held, it would wait dataset.build.lock-timeout, two minutes, and be answered 409 busy).
            upload(name, Fixtures.jsonl(0, 40)).then().statusCode(201).body("version", equalTo(1));
            given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(200)
                    .body("latestVersion", equalTo(1));
            assertThat(slow).as("the slow upload is still sending").isNotDone();
        } finally {
            body.resume();
        }
        HttpResponse<String> created = slow.get(90, TimeUnit.SECONDS);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(JsonPath.from(created.body()).getInt("version")).isEqualTo(2);
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions", name).then().statusCode(200)
                .body("version", equalTo(List.of(1, 2)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(gate.available()).isEqualTo(4));
    }

    /** A request body that sends its first part, then waits for {@link #resume()} before the rest. */
    private static final class HeldBody extends InputStream {
        private final InputStream first;
        private final InputStream rest;
        private final CountDownLatch resumed = new CountDownLatch(1);

        HeldBody(String first, String rest) {
            this.first = new ByteArrayInputStream(first.getBytes(StandardCharsets.UTF_8));
            this.rest = new ByteArrayInputStream(rest.getBytes(StandardCharsets.UTF_8));
        }

        void resume() {
            resumed.countDown();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = first.read(buf, off, len);
            if (n >= 0) {
                return n;
            }
            try {
                if (!resumed.await(2, TimeUnit.MINUTES)) {
                    throw new IOException("the test never resumed the body");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while holding the body", e);
            }
            return rest.read(buf, off, len);
        }
    }

    private static Response upload(String name, String jsonl) {
        return given().auth().oauth2(TestTokens.teamA()).contentType("application/x-ndjson")
                .body(jsonl.getBytes(StandardCharsets.UTF_8)).when().post("/datasets/{name}/versions", name);
    }
}

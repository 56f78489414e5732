package dev.finetune.support.retry;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.finetune.events.EventFormatException;
import dev.finetune.support.metrics.ConsumerMetrics;
import dev.finetune.testing.PostgresTestResource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shared retry on a consumer method (settings: 3 s at most, 100 ms doubling to 500 ms): a transient fault is
 * retried until it passes while readiness check consumers-retrying is DOWN, poison is thrown after one attempt,
 * and a fault that outlasts the window is thrown as transient-exhausted.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class TransientFaultRetryTests {

    private static final String CHECK = "checks.find { it.name == 'consumers-retrying' }.status";

    @Inject
    RetryProbe probe;

    @Inject
    MeterRegistry metrics;

    @AfterEach
    void reset() {
        probe.reset();
    }

    @Test
    void aTransientFaultIsRetriedUntilItPassesAndReadinessIsDownMeanwhile() throws Exception {
        AtomicBoolean databaseAway = new AtomicBoolean(true);
        probe.failWith(() -> databaseAway.get()
                ? new IllegalStateException("storing failed", new SQLException("Connection refused", "08001")) : null);
        given().get("/q/health/ready").then().body(CHECK, equalTo("UP"));
        double retriesBefore = retries();

        CompletableFuture<String> outcome = CompletableFuture.supplyAsync(() -> probe.consume("r1"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(503).body(CHECK, equalTo("DOWN"))
                .body("checks.find { it.name == 'consumers-retrying' }.data.'RetryProbe.consume'",
                        startsWith("retrying since ")));
        assertThat(outcome).isNotDone();
        databaseAway.set(false);

        assertThat(outcome.get()).isEqualTo("applied r1");
        assertThat(probe.attempts()).isGreaterThan(1);
        assertThat(retries() - retriesBefore).as("consumer_retries_total: every attempt but the last")
                .isEqualTo(probe.attempts() - 1);
        given().get("/q/health/ready").then().body(CHECK, equalTo("UP"));
    }

    @Test
    void poisonIsThrownAfterOneAttempt() {
        probe.failWith(() -> new EventFormatException("LabelRecord: missing required field 'label'"));
        assertThatThrownBy(() -> probe.consume("bad")).isInstanceOf(EventFormatException.class);
        assertThat(probe.attempts()).isEqualTo(1);
    }

    @Test
    void aFaultThatOutlastsTheWindowIsThrownAsTransientExhausted() {
        probe.failWith(() -> new IllegalStateException("put failed", new ConnectException("Connection refused")));
        long started = System.nanoTime();
        assertThatThrownBy(() -> probe.consume("r2")).isInstanceOf(TransientFaultsExhausted.class)
                .hasMessageStartingWith("transient-exhausted: RetryProbe.consume still failing after retrying for PT3S")
                .hasRootCauseInstanceOf(ConnectException.class);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isBetween(Duration.ofMillis(2500), Duration.ofSeconds(10));
        assertThat(probe.attempts()).isGreaterThan(3);
        given().get("/q/health/ready").then().body(CHECK, equalTo("UP"));
    }

    private double retries() {
        Counter counter = metrics.find(ConsumerMetrics.RETRIES).tag("consumer", "RetryProbe.consume").counter();
        return counter == null ? 0 : counter.count();
    }
}

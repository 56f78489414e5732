package dev.finetune.training.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finetune.training.domain.RunStore;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * When a job stops knowing that it holds its lease: a renewal that fails, one that finds the run taken over, and
 * an expiry that passes without a renewal each end it for good; a renewal that succeeds extends it and carries a
 * cancel request.
 */
class LeaseTests {

    private static final Duration NEVER = Duration.ofHours(1);

    @Test
    void aSuccessfulRenewalKeepsTheLeaseAndCarriesACancelRequest() {
        try (Lease lease = lease(Duration.ofMinutes(1), NEVER, () -> RunStore.Heartbeat.CANCEL)) {
            assertThat(lease.held()).isTrue();
            assertThat(lease.cancelRequested()).isFalse();
            assertThat(lease.confirm()).isTrue();
            assertThat(lease.cancelRequested()).isTrue();
        }
    }

    @Test
    void aFailedRenewalEndsTheLeaseForGood() {
        AtomicInteger calls = new AtomicInteger();
        try (Lease lease = lease(Duration.ofMinutes(1), NEVER, () -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("Acquisition timeout while waiting for new connection");
            }
            return RunStore.Heartbeat.CONTINUE;
        })) {
            assertThat(lease.confirm()).isFalse();
            // The database is back, but another instance may hold the run by now: not renewed, still not held.
            assertThat(lease.confirm()).isFalse();
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void aRenewalThatFindsTheRunTakenOverEndsTheLease() {
        try (Lease lease = lease(Duration.ofMinutes(1), NEVER, () -> RunStore.Heartbeat.LOST)) {
            assertThat(lease.confirm()).isFalse();
        }
    }

    @Test
    void anExpiryWithoutARenewalEndsTheLeaseEvenWhileARenewalHangs() {
        // The renewer calls every 50 ms and its call never returns (a database that does not answer).
        Object never = new Object();
        try (Lease lease = lease(Duration.ofMillis(500), Duration.ofMillis(50), () -> {
            synchronized (never) {
                try {
                    never.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return RunStore.Heartbeat.CONTINUE;
        })) {
            assertThat(lease.held()).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> !lease.held());
        }
    }

    @Test
    void renewalsExtendTheLeaseBeyondItsFirstExpiry() {
        AtomicInteger renewals = new AtomicInteger();
        try (Lease lease = lease(Duration.ofSeconds(2), Duration.ofMillis(100), () -> {
            renewals.incrementAndGet();
            return RunStore.Heartbeat.CONTINUE;
        })) {
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> System.nanoTime() - start > Duration.ofSeconds(5).toNanos());
            assertThat(renewals.get()).isGreaterThan(2);
            assertThat(lease.held()).isTrue();
        }
    }

    private static Lease lease(Duration length, Duration heartbeat, Supplier<RunStore.Heartbeat> renewal) {
        return new Lease(UUID.randomUUID(), System.nanoTime(), length, heartbeat, renewal);
    }
}

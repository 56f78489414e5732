package dev.finetune.support.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.events.PlatformEvent;
import dev.finetune.testing.PostgresTestResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The inbox on a real PostgreSQL: first delivery once, under races and across rolled-back work. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class InboxTests {

    @Inject
    Inbox inbox;

    @Test
    void anEventIsAFirstDeliveryOnceAndARedeliveryAfterwards() {
        PlatformEvent event = anEvent();

        assertThat(inbox.seen(event.eventId())).isFalse();
        assertThat(inbox.firstDelivery(event)).isTrue();
        assertThat(inbox.firstDelivery(event)).as("the same event delivered again").isFalse();
        assertThat(inbox.seen(event.eventId())).isTrue();

        InboxEvent recorded = QuarkusTransaction.requiringNew().call(() -> InboxEvent.findById(event.eventId()));
        assertThat(recorded.topic).isEqualTo("test.topic");
        assertThat(recorded.recordKey).isEqualTo(event.key());
        assertThat(recorded.correlationId).isEqualTo(event.correlationId());
    }

    @Test
    void instancesRacingOnOneEventSeeItsFirstDeliveryExactlyOnce() throws Exception {
        PlatformEvent event = anEvent();
        int racers = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<Boolean>> outcomes = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                Callable<Boolean> deliver = () -> {
                    start.await();
                    return inbox.firstDelivery(event);
                };
                outcomes.add(pool.submit(deliver));
            }
            start.countDown();
            int firsts = 0;
            for (Future<Boolean> outcome : outcomes) {
                firsts += outcome.get() ? 1 : 0;
            }
            assertThat(firsts).as("deliveries that saw 'first' among %d racers", racers).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anEventWhoseWorkRolledBackIsAFirstDeliveryAgain() {
        PlatformEvent event = anEvent();

        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            assertThat(inbox.firstDelivery(event)).isTrue();
            throw new IllegalStateException("the consumer's work failed");
        })).hasMessageContaining("the consumer's work failed");

        // The record joined the consumer's transaction, so the redelivery must do the work again.
        assertThat(inbox.seen(event.eventId())).isFalse();
        assertThat(inbox.firstDelivery(event)).isTrue();
    }

    private static PlatformEvent anEvent() {
        return new TestEvent(UUID.randomUUID(), Instant.now(), "ds-" + UUID.randomUUID());
    }

    record TestEvent(UUID eventId, Instant occurredAt, String key) implements PlatformEvent {
        @Override
        public int schemaVersion() {
            return 1;
        }

        @Override
        public String producer() {
            return "inbox-tests";
        }

        @Override
        public String correlationId() {
            return key + "-v1";
        }

        @Override
        public String topic() {
            return "test.topic";
        }
    }
}

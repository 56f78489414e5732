package dev.finetune.support.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Topics;
import dev.finetune.events.TrainingFailed;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.SharedInfrastructure;
import dev.finetune.testing.TopicSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionalException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The outbox and its relay against a real broker and PostgreSQL: what commits is sent, once, in order. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(KafkaTestResource.class)
class OutboxTests {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Inject
    Outbox outbox;

    @Inject
    OutboxRelay relay;

    @Inject
    MeterRegistry metrics;

    @Test
    void anEventRecordedInACommittedTransactionIsSentOnce() {
        String run = "run-" + UUID.randomUUID();
        TrainingFailed event = failed(run, "out of memory");
        double sentBefore = sentOn(Topics.TRAINING_FAILED);

        QuarkusTransaction.requiringNew().run(() -> outbox.record(event));

        await().atMost(WAIT).untilAsserted(() -> assertThat(sentAt(event.eventId())).isTrue());
        relay.relay(); // a sweep after the mark finds nothing to send again
        assertThat(sentOn(Topics.TRAINING_FAILED) - sentBefore).as("outbox_events_sent_total").isEqualTo(1);
        assertThat(metrics.get("outbox_lag_seconds").gauge().value()).as("lag once every event is sent").isZero();
        List<String> onTopic = TopicSnapshot.values(bootstrap(), Topics.TRAINING_FAILED, run);
        assertThat(onTopic).as("records of run %s on training.failed", run).hasSize(1);
        assertThat(EventCodec.decode(onTopic.get(0), TrainingFailed.class)).isEqualTo(event);
    }

    @Test
    void anEventWhoseTransactionRolledBackIsNeverSent() {
        String run = "run-" + UUID.randomUUID();
        TrainingFailed rolledBack = failed(run, "rolled back");
        TrainingFailed committed = failed(run, "committed after");

        assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
            outbox.record(rolledBack);
            throw new IllegalStateException("the state change failed");
        })).hasMessageContaining("the state change failed");
        QuarkusTransaction.requiringNew().run(() -> outbox.record(committed));

        // Events of one key leave in recording order, so once the later one is out the earlier would be too.
        await().atMost(WAIT).untilAsserted(() -> assertThat(
                TopicSnapshot.values(bootstrap(), Topics.TRAINING_FAILED, run)).hasSize(1));
        assertThat(TopicSnapshot.values(bootstrap(), Topics.TRAINING_FAILED, run))
                .allSatisfy(value -> assertThat(value).contains("committed after").doesNotContain("rolled back"));
    }

    @Test
    void anEventCannotBeRecordedOutsideATransaction() {
        assertThatThrownBy(() -> outbox.record(failed("run-" + UUID.randomUUID(), "alone")))
                .isInstanceOf(TransactionalException.class);
    }

    @Test
    void eventsAboutOneKeyLeaveInTheOrderTheyWereRecorded() {
        String run = "run-" + UUID.randomUUID();
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < 250; i++) { // more than two batches, with the relay woken after every commit
            String reason = "attempt " + i;
            reasons.add(reason);
            QuarkusTransaction.requiringNew().run(() -> outbox.record(failed(run, reason)));
        }

        await().atMost(WAIT).untilAsserted(() -> assertThat(
                TopicSnapshot.values(bootstrap(), Topics.TRAINING_FAILED, run)).hasSize(reasons.size()));
        List<String> sent = TopicSnapshot.values(bootstrap(), Topics.TRAINING_FAILED, run).stream()
                .map(value -> EventCodec.decode(value, TrainingFailed.class).reason()).toList();
        assertThat(sent).containsExactlyElementsOf(reasons);
    }

    private static TrainingFailed failed(String run, String reason) {
        return new TrainingFailed(EventMeta.next("outbox-tests", run + "-v1"), run, "reviews", "reviews", 1, reason);
    }

    private static boolean sentAt(UUID eventId) {
        return QuarkusTransaction.requiringNew().call(() -> OutboxEvent.<OutboxEvent>find("eventId", eventId)
                .firstResultOptional().map(row -> row.sentAt != null).orElse(false));
    }

    private static String bootstrap() {
        return SharedInfrastructure.kafka().bootstrapServers();
    }

    private double sentOn(String topic) {
        Counter counter = metrics.find("outbox_events_sent").tag("topic", topic).counter();
        return counter == null ? 0 : counter.count();
    }
}

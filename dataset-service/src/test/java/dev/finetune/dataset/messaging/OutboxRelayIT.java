package dev.finetune.dataset.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finetune.dataset.Fixtures;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import dev.finetune.support.outbox.OutboxRelay;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The outbox after a crash between commit and send: an event committed but never sent (as a restarted
 * instance finds it) is sent by the relay's next round and marked sent, once: one record on
 * {@code datasets.prepared}, however many rounds follow.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class)
@WithTestResource(value = S3TestResource.class)
@WithTestResource(value = PostgresTestResource.class)
class OutboxRelayIT {

    @Inject
    AgroalDataSource db;

    @Inject
    OutboxRelay relay;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void anEventLeftUnsentByACrashIsSentByTheNextRoundAndMarkedSent() throws Exception {
        String name = Fixtures.name("crashed");
        DatasetPrepared event = new DatasetPrepared(EventMeta.next("dataset-service", name + "-v1"), name, FinetuneRealm.TEAM_A, 1,
                "s3://finetune/datasets/" + name + "/v1/manifest.json",
                Map.of("train", new DatasetPrepared.SplitRef("s3://finetune/datasets/" + name + "/v1/train.jsonl.gz",
                        "ab12", 10)), List.of("a", "b"), "cd34");
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO outbox (event_id, topic, record_key, payload, created_at) VALUES (?, ?, ?, ?, ?)""")) {
            ps.setObject(1, event.eventId());
            ps.setString(2, event.topic());
            ps.setString(3, name);
            ps.setString(4, EventCodec.encode(event));
            ps.setTimestamp(5, Timestamp.from(Instant.now()));
            ps.executeUpdate();
        }

        // No request triggers it: the periodic round of the relay finds it, and sends it once: exactly one
        // record on the topic for the data set, through later rounds (the relay polls every 2 s here), equal
        // to the event that was committed.
        assertThat(Fixtures.exactlyPrepared(bootstrapServers, name, 1)).containsExactly(event);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Fixtures.count(db,
                "SELECT count(*) FROM outbox WHERE event_id = ? AND sent_at IS NOT NULL", event.eventId()))
                .isEqualTo(1));
        assertThat(relay.relay()).isZero(); // nothing left to send
        assertThat(Fixtures.preparedEvents(bootstrapServers, name)).containsExactly(event);
    }
}

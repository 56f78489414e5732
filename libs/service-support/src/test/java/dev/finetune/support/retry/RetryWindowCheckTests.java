package dev.finetune.support.retry;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which Kafka channels would be failed by the connector while a record is being retried. */
class RetryWindowCheckTests {

    private static final long FIVE_MINUTES = 300_000;

    @Test
    void aChannelOnTheConnectorsDefaultAgeIsTooShortForTheWindow() {
        assertThat(RetryWindowCheck.tooShort(config(Map.of()), FIVE_MINUTES)).containsExactly("labels-ingest (60000 ms)");
    }

    @Test
    void theConnectorWideAgeAndAChannelsOwnAgeAreBothHonoured() {
        assertThat(RetryWindowCheck.tooShort(config(Map.of(
                "mp.messaging.connector.smallrye-kafka." + RetryWindowCheck.AGE, "600000")), FIVE_MINUTES)).isEmpty();
        assertThat(RetryWindowCheck.tooShort(config(Map.of(
                "mp.messaging.connector.smallrye-kafka." + RetryWindowCheck.AGE, "600000",
                "mp.messaging.incoming.labels-ingest." + RetryWindowCheck.AGE, "120000")), FIVE_MINUTES))
                .containsExactly("labels-ingest (120000 ms)");
    }

    @Test
    void anUnmonitoredAgeOrAnotherCommitStrategyIsNotChecked() {
        assertThat(RetryWindowCheck.tooShort(config(Map.of(
                "mp.messaging.incoming.labels-ingest." + RetryWindowCheck.AGE, "0")), FIVE_MINUTES)).isEmpty();
        assertThat(RetryWindowCheck.tooShort(config(Map.of(
                "mp.messaging.incoming.labels-ingest.commit-strategy", "latest")), FIVE_MINUTES)).isEmpty();
    }

    /** One Kafka channel, labels-ingest, one outgoing channel and one in-memory one, plus {@code extra}. */
    private static SmallRyeConfig config(Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "mp.messaging.incoming.labels-ingest.connector", "smallrye-kafka",
                "mp.messaging.incoming.memory.connector", "smallrye-in-memory",
                "mp.messaging.outgoing.outbox.connector", "smallrye-kafka"));
        properties.putAll(extra);
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 100)).build();
    }
}

package dev.finetune.support.retry;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * Refuses to start a service whose Kafka channels would be declared failed while a record is legitimately
 * being retried: the connector's throttled commit strategy fails a channel (fatally) when a record waits
 * unacknowledged longer than {@code throttled.unprocessed-record-max-age.ms}, so that age must exceed
 * {@code consumer.retry.max-duration}. service-support sets it to 10 minutes for every channel by default.
 */
@ApplicationScoped
public class RetryWindowCheck {

    static final String AGE = "throttled.unprocessed-record-max-age.ms";
    private static final String INCOMING = "mp.messaging.incoming.";

    void check(@Observes StartupEvent start, Config config, ConsumerRetrySettings settings) {
        List<String> tooShort = tooShort(config, settings.maxDuration().toMillis());
        if (!tooShort.isEmpty()) {
            throw new IllegalStateException("consumer.retry.max-duration (" + settings.maxDuration() + ") must be "
                    + "shorter than each channel's " + AGE + ", or the connector fails the channel while a record is "
                    + "being retried: " + String.join(", ", tooShort));
        }
    }

    /** The Kafka channels, with their age, whose age (when monitored at all, above 0) is not above the window. */
    static List<String> tooShort(Config config, long maxDurationMillis) {
        List<String> tooShort = new ArrayList<>();
        for (String name : config.getPropertyNames()) {
            if (!name.startsWith(INCOMING) || !name.endsWith(".connector")) {
                continue;
            }
            String channel = name.substring(INCOMING.length(), name.length() - ".connector".length());
            String connector = config.getOptionalValue(name, String.class).orElse("");
            if (!"smallrye-kafka".equals(connector)) {
                continue;
            }
            long age = config.getOptionalValue(INCOMING + channel + "." + AGE, Long.class)
                    .or(() -> config.getOptionalValue("mp.messaging.connector.smallrye-kafka." + AGE, Long.class))
                    .orElse(60_000L);
            Optional<String> strategy = config.getOptionalValue(INCOMING + channel + ".commit-strategy", String.class);
            boolean throttled = strategy.map("throttled"::equals).orElse(true);
            if (throttled && age > 0 && age <= maxDurationMillis) {
                tooShort.add(channel + " (" + age + " ms)");
            }
        }
        return tooShort;
    }
}

package dev.finetune.support.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the Kafka consumers did with their records, as Prometheus counters: {@code consumer_records_total}, per
 * consumer and outcome ({@code processed}, which includes a redelivered event recognised and skipped, or
 * {@code dead_lettered}), and {@code consumer_retries_total}, the attempts that met a transient fault (each
 * tried again while the consumer's retry window lasts). A consumer is named as the readiness check {@code consumers-retrying} names it: {@code
 * Class.method}.
 */
@ApplicationScoped
public class ConsumerMetrics {

    public static final String RECORDS = "consumer_records";
    public static final String RETRIES = "consumer_retries";

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public ConsumerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void processed(String consumer, int records) {
        records(consumer, "processed").increment(records);
    }

    public void deadLettered(String consumer, int records) {
        records(consumer, "dead_lettered").increment(records);
    }

    public void retried(String consumer) {
        counters.computeIfAbsent(RETRIES + "|" + consumer, key -> Counter.builder(RETRIES).tag("consumer", consumer)
                .description("Attempts of a consumer that met a transient fault (tried again while its retry window lasts)")
                .register(registry)).increment();
    }

    private Counter records(String consumer, String outcome) {
        return counters.computeIfAbsent(RECORDS + "|" + consumer + "|" + outcome, key -> Counter.builder(RECORDS)
                .tag("consumer", consumer).tag("outcome", outcome)
                .description("Records a consumer processed or dead-lettered").register(registry));
    }
}

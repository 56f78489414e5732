package dev.finetune.support.retry;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The consumer invocations waiting out a transient fault right now: what readiness reports. */
@ApplicationScoped
public class RetryingConsumers {

    /** One waiting invocation: which consumer, since when, and the fault it last met. */
    public record Waiting(String consumer, Instant since, String fault) {
    }

    private final Map<Object, Waiting> waiting = new ConcurrentHashMap<>();

    /** The invocation {@code token} of {@code consumer} failed transiently and will be retried. */
    void failedTransiently(Object token, String consumer, Throwable fault) {
        waiting.compute(token, (t, before) -> new Waiting(consumer, before == null ? Instant.now() : before.since(),
                fault.getClass().getSimpleName() + ": " + fault.getMessage()));
    }

    /** The invocation ended, whichever way. */
    void ended(Object token) {
        waiting.remove(token);
    }

    /** Per consumer, the longest-waiting invocation. */
    public Map<String, Waiting> now() {
        Map<String, Waiting> byConsumer = new TreeMap<>();
        for (Waiting w : waiting.values()) {
            byConsumer.merge(w.consumer(), w, (a, b) -> a.since().isBefore(b.since()) ? a : b);
        }
        return byConsumer;
    }
}

package dev.finetune.support.outbox;

import dev.finetune.events.EventCodec;
import dev.finetune.events.EventTypes;
import dev.finetune.events.PlatformEvent;
import dev.finetune.events.kafka.EventMessages;
import dev.finetune.events.kafka.TraceContext;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/**
 * Sends committed outbox events to Kafka in recording order, each in the trace of the work that recorded it,
 * and marks them sent once the broker acknowledged them: right after each commit ({@link #wakeUp()}) and
 * every {@code outbox.sweep-interval} as a backstop. One instance of a service sends at a time (a
 * transaction-scoped advisory lock per schema), so order per record key holds across instances. A crash or a
 * failed acknowledgement between send and mark sends an event again: delivery is at least once.
 */
@ApplicationScoped
public class OutboxRelay {

    /** The outgoing channel every service configures; each record names its own topic. */
    public static final String CHANNEL = "outbox";

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int MAX_BATCH = 1000;

    private final Emitter<String> emitter;
    private final EntityManager entityManager;
    private final OutboxSettings settings;
    private final Tracer tracer;
    private final ManagedExecutor executor;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    /** When the oldest event this instance found unsent was recorded; null when it sent everything it found. */
    private final AtomicReference<Instant> oldestUnsent = new AtomicReference<>();
    private final MeterRegistry metrics;

    public OutboxRelay(@Channel(CHANNEL) Emitter<String> emitter, EntityManager entityManager, OutboxSettings settings,
            Tracer tracer, ManagedExecutor executor, MeterRegistry metrics) {
        this.emitter = emitter;
        this.entityManager = entityManager;
        this.settings = settings;
        this.tracer = tracer;
        this.executor = executor;
        this.metrics = metrics;
        // The lag grows while the broker is away (nothing is acknowledged) and is 0 once the relay caught up. An
        // instance that does not hold the relay's lock reports 0: the one that holds it reports the lag.
        Gauge.builder("outbox_lag_seconds", oldestUnsent, OutboxRelay::secondsSince)
                .description("Age of the oldest event recorded but not yet acknowledged by the broker").register(metrics);
        if (settings.batchSize() < 1 || settings.batchSize() > MAX_BATCH) {
            throw new IllegalArgumentException("outbox.batch-size must be within 1.." + MAX_BATCH + ", was "
                    + settings.batchSize());
        }
    }

    /** Relays soon, off the caller's thread; called after a commit that recorded an event. */
    public void wakeUp() {
        executor.execute(this::relay);
    }

    @Scheduled(every = "${outbox.sweep-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        relay();
    }

    /** Sends every unsent event; returns how many this call marked sent (0 when another round is running). */
    public int relay() {
        if (!running.compareAndSet(false, true)) {
            again.set(true); // the running round picks up what was just committed
            return 0;
        }
        int sent = 0;
        try {
            int round;
            do {
                again.set(false);
                round = sendBatch();
                sent += round;
            } while (round == settings.batchSize() || again.get());
        } catch (RuntimeException e) {
            LOG.warnf("outbox relay stopped after %d events, next sweep in %s: %s", sent, settings.sweepInterval(),
                    e.getMessage());
        } finally {
            running.set(false);
        }
        return sent;
    }

    /**
     * One round: the oldest unsent events, sent together and then awaited, in one transaction that marks those
     * acknowledged. Waiting once per batch rather than per event keeps the relay off the broker's round trip.
     */
    private int sendBatch() {
        return QuarkusTransaction.requiringNew().call(() -> {
            boolean ours = (Boolean) entityManager
                    .createNativeQuery("SELECT pg_try_advisory_xact_lock(hashtext('outbox:' || current_schema()))")
                    .getSingleResult();
            if (!ours) {
                oldestUnsent.set(null);
                return 0; // another instance of this service is relaying; its round sends these in order
            }
            List<OutboxEvent> pending = entityManager
                    .createQuery("FROM OutboxEvent WHERE sentAt IS NULL ORDER BY id", OutboxEvent.class)
                    .setMaxResults(settings.batchSize()).getResultList();
            List<CompletableFuture<Void>> acknowledgements = new ArrayList<>(pending.size());
            for (OutboxEvent row : pending) {
                acknowledgements.add(send(row));
            }
            int sent = markAcknowledged(pending, acknowledgements);
            if (sent < pending.size()) {
                oldestUnsent.set(pending.get(sent).createdAt);
            } else if (pending.size() < settings.batchSize()) {
                oldestUnsent.set(null);
            } // else a full batch went out: the next round finds what is left
            return sent;
        });
    }

    private static double secondsSince(AtomicReference<Instant> recorded) {
        Instant since = recorded.get();
        return since == null ? 0 : Duration.between(since, Instant.now()).toMillis() / 1000.0;
    }

    private CompletableFuture<Void> send(OutboxEvent row) {
        PlatformEvent event = (PlatformEvent) EventCodec.decode(row.payload, EventTypes.forTopic(row.topic));
        try (Scope trace = TraceContext.resume(tracer, row.traceparent, "outbox send")) {
            EventMessages.Outgoing outgoing = EventMessages.keyed(event);
            emitter.send(outgoing.message());
            return outgoing.acknowledged();
        }
    }

    /** Marks the acknowledged prefix sent; an event after the first failure is sent again next round. */
    private int markAcknowledged(List<OutboxEvent> pending, List<CompletableFuture<Void>> acknowledgements)
            throws InterruptedException {
        long deadline = System.nanoTime() + settings.sendTimeout().toNanos();
        Instant now = Instant.now();
        for (int i = 0; i < pending.size(); i++) {
            OutboxEvent row = pending.get(i);
            try {
                acknowledgements.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.warnf("outbox: %s event %s (key %s) not acknowledged, sent again next round: %s", row.topic,
                        row.eventId, row.recordKey, e instanceof ExecutionException ? e.getCause() : "timed out");
                return i;
            }
            row.sentAt = now;
            metrics.counter("outbox_events_sent", "topic", row.topic).increment();
            LOG.infof("sent %s event %s key=%s", row.topic, row.eventId, row.recordKey);
        }
        return pending.size();
    }
}

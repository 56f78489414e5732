package dev.finetune.dataset.messaging;

import dev.finetune.dataset.config.DatasetConfig;
import dev.finetune.dataset.domain.OutboxEvent;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Topics;
import dev.finetune.events.kafka.TraceContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import jakarta.annotation.PreDestroy;
import org.jboss.logging.Logger;

/**
 * Sends committed outbox events to Kafka, each in the trace of the work that wrote it, and marks them sent:
 * right after each commit, and every {@code dataset.outbox.poll-interval} for whatever a crash or a broker
 * outage left behind. Each event is locked ({@code FOR UPDATE SKIP LOCKED}) while it is sent, so instances
 * never send one event at the same time; a crash after the send and before the mark sends it again, and
 * consumers de-duplicate by event id.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final DatasetEventPublisher publisher;
    private final DatasetConfig config;
    private final EntityManager entityManager;
    private final Tracer tracer;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "outbox-relay");
        t.setDaemon(true);
        return t;
    });

    public OutboxRelay(DatasetEventPublisher publisher, DatasetConfig config, EntityManager entityManager,
                       Tracer tracer) {
        this.publisher = publisher;
        this.config = config;
        this.entityManager = entityManager;
        this.tracer = tracer;
    }

    /** Relays soon, on the relay's own thread; called after a commit that added an event. */
    public void requestRelay() {
        executor.execute(this::relay);
    }

    @Scheduled(every = "${dataset.outbox.poll-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        relay();
    }

    /** Sends every unsent event; returns how many were sent by this call. */
    public int relay() {
        if (!running.compareAndSet(false, true)) {
            again.set(true); // the running round picks up what was just committed
            return 0;
        }
        int sent = 0;
        try {
            do {
                again.set(false);
                for (int i = 0; i < config.outbox().batchSize(); i++) {
                    if (!sendOne()) {
                        break;
                    }
                    sent++;
                }
            } while (again.get());
        } catch (RuntimeException e) {
            LOG.warnf("outbox relay stopped after %d events, retrying in %s: %s", sent, config.outbox().pollInterval(),
                    e.getMessage());
        } finally {
            running.set(false);
        }
        return sent;
    }

    /** Sends the oldest unsent event in its own transaction; false when there is none. */
    private boolean sendOne() {
        return QuarkusTransaction.requiringNew().call(() -> {
            @SuppressWarnings("unchecked")
            List<OutboxEvent> next = entityManager.createNativeQuery("""
                            SELECT * FROM outbox_event WHERE sent_at IS NULL ORDER BY created_at
                            LIMIT 1 FOR UPDATE SKIP LOCKED""", OutboxEvent.class).getResultList();
            if (next.isEmpty()) {
                return false;
            }
            OutboxEvent event = next.get(0);
            if (!Topics.DATASETS_PREPARED.equals(event.topic)) {
                throw new IllegalStateException("outbox event " + event.eventId + " for unknown topic " + event.topic);
            }
            try (Scope trace = TraceContext.resume(tracer, event.traceparent, "outbox send")) {
                publisher.publish(EventCodec.decode(event.payload, DatasetPrepared.class)).toCompletableFuture()
                        .get(config.outbox().sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
                event.sentAt = Instant.now();
                LOG.infof("sent %s event %s key=%s", event.topic, event.eventId, event.recordKey);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while sending outbox event " + event.eventId, e);
            } catch (Exception e) {
                throw new IllegalStateException("sending outbox event " + event.eventId + " (" + event.recordKey
                        + ") failed: " + e.getMessage(), e);
            }
            return true;
        });
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}

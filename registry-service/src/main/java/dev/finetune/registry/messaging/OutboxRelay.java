package dev.finetune.registry.messaging;

import dev.finetune.events.EventCodec;
import dev.finetune.events.EventTypes;
import dev.finetune.events.PlatformEvent;
import dev.finetune.events.Topics;
import dev.finetune.events.kafka.EventMessages;
import dev.finetune.events.kafka.TraceContext;
import dev.finetune.registry.config.RegistrySettings;
import dev.finetune.registry.domain.OutboxRecord;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

/**
 * Sends the outbox's events to Kafka, oldest first and each in the trace of the decision that wrote it,
 * and marks each sent once the broker acknowledged it. Runs right after each decision ({@link #wakeUp()})
 * and every {@code registry.relay-interval} for what a crash or a broker outage left behind. At-least-once:
 * a crash between the send and the mark sends an event again, and consumers deduplicate by event id.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final Emitter<String> promoted;
    private final Emitter<String> rejected;
    private final EntityManager entityManager;
    private final RegistrySettings settings;
    private final Tracer tracer;
    private final Object wake = new Object();
    private volatile boolean running;
    private Thread thread;

    public OutboxRelay(@Channel("promoted-out") Emitter<String> promoted, @Channel("rejected-out") Emitter<String> rejected,
            EntityManager entityManager, RegistrySettings settings, Tracer tracer) {
        this.promoted = promoted;
        this.rejected = rejected;
        this.entityManager = entityManager;
        this.settings = settings;
        this.tracer = tracer;
    }

    void onStart(@Observes StartupEvent startup) {
        running = true;
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void onStop(@Observes ShutdownEvent shutdown) {
        running = false;
        wakeUp();
    }

    public void wakeUp() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void loop() {
        while (running) {
            try {
                while (relayBatch() > 0) {
                    // drain everything pending before waiting again
                }
            } catch (RuntimeException e) {
                LOG.warnf("outbox relay: %s; retrying", e.getMessage());
            }
            synchronized (wake) {
                try {
                    wake.wait(settings.relayInterval().toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Sends up to 50 pending events; rows are locked, so two instances never send the same one at once. */
    @Transactional
    int relayBatch() {
        @SuppressWarnings("unchecked")
        List<OutboxRecord> pending = entityManager.createNativeQuery(
                "SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED", OutboxRecord.class)
                .getResultList();
        for (OutboxRecord record : pending) {
            try (Scope trace = TraceContext.resume(tracer, record.traceparent, "outbox send")) {
                send(record);
            }
        }
        return pending.size();
    }

    private void send(OutboxRecord record) {
        PlatformEvent event = (PlatformEvent) EventCodec.decode(record.payload, EventTypes.forTopic(record.topic));
        EventMessages.Outgoing outgoing = EventMessages.keyed(event);
        emitterFor(record.topic).send(outgoing.message());
        try {
            outgoing.acknowledged().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("broker did not acknowledge " + record.topic + " " + event.eventId(), e);
        }
        OutboxRecord managed = entityManager.merge(record);
        managed.sentAt = Instant.now();
        LOG.infof("published %s key=%s correlationId=%s", record.topic, record.recordKey, event.correlationId());
    }

    private Emitter<String> emitterFor(String topic) {
        return switch (topic) {
            case Topics.MODELS_PROMOTED -> promoted;
            case Topics.MODELS_REJECTED -> rejected;
            default -> throw new IllegalStateException("no channel for topic " + topic);
        };
    }
}

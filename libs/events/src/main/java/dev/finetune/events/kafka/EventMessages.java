package dev.finetune.events.kafka;

import dev.finetune.events.EventCodec;
import dev.finetune.events.PlatformEvent;
import io.opentelemetry.context.Context;
import io.smallrye.reactive.messaging.TracingMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Turns an event into the Kafka record every service sends: JSON value, keyed by the entity the event
 * is about, with the correlation id and event id as headers so tooling can follow a flow without
 * parsing values, and the trace current on the sending thread as the parent of the record's producer span
 * (whose {@code traceparent} header the Kafka connector adds). Defined once so no producer can forget the key.
 */
public final class EventMessages {

    public static final String CORRELATION_ID_HEADER = "correlation-id";
    public static final String EVENT_ID_HEADER = "event-id";

    private EventMessages() {
    }

    /**
     * The message for {@code event}, and a future completed when the broker acknowledged it (or failed),
     * so callers can finish their own transaction only once the event is really out.
     */
    public static Outgoing keyed(PlatformEvent event) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(CORRELATION_ID_HEADER, event.correlationId().getBytes(StandardCharsets.UTF_8));
        headers.add(EVENT_ID_HEADER, event.eventId().toString().getBytes(StandardCharsets.UTF_8));
        Message<String> message = Message.of(EventCodec.encode(event))
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                        .withKey(event.key())
                        .withTopic(event.topic())
                        .withHeaders(headers)
                        .build())
                // Explicit, not left to the connector: the emitter may hand the message on from another thread,
                // where the sender's trace is no longer current.
                .addMetadata(TracingMetadata.withCurrent(Context.current()));
        return acknowledgeable(message);
    }

    /** {@code message} with a future completed when the broker acknowledged it, or failed when it did not. */
    public static Outgoing acknowledgeable(Message<String> message) {
        CompletableFuture<Void> acknowledged = new CompletableFuture<>();
        return new Outgoing(message
                .withAck(() -> {
                    acknowledged.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acknowledged.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }), acknowledged);
    }

    /** A message ready for an emitter, and the broker's acknowledgement of it. */
    public record Outgoing(Message<String> message, CompletableFuture<Void> acknowledged) {
    }
}

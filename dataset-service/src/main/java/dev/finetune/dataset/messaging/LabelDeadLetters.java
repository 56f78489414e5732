package dev.finetune.dataset.messaging;

import dev.finetune.events.kafka.EventMessages;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Dead-letters single records of a {@code labels.ingest} batch, with the headers SmallRye's own
 * dead-letter strategy writes (reason, topic, partition, offset), so the DLQ reads the same whichever
 * path put a record there. The batch is acknowledged only after its dead letters are: none is lost.
 */
@ApplicationScoped
public class LabelDeadLetters {

    static final String CHANNEL = "labels-ingest-dead-letters";

    private final Emitter<String> emitter;

    public LabelDeadLetters(@Channel(CHANNEL) Emitter<String> emitter) {
        this.emitter = emitter;
    }

    /** Sends the record with {@code reason} and waits for the broker's acknowledgement. */
    public void send(ConsumerRecord<String, String> record, String reason) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            headers.add(header);
        }
        headers.add("dead-letter-reason", bytes(reason == null ? "unknown" : reason));
        headers.add("dead-letter-topic", bytes(record.topic()));
        headers.add("dead-letter-partition", bytes(String.valueOf(record.partition())));
        headers.add("dead-letter-offset", bytes(String.valueOf(record.offset())));
        EventMessages.Outgoing outgoing = EventMessages.acknowledgeable(Message.of(record.value())
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(record.key()).withHeaders(headers)
                        .build()));
        emitter.send(outgoing.message());
        try {
            outgoing.acknowledged().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not dead-letter " + record.topic() + " " + record.partition() + "@"
                    + record.offset(), e);
        }
    }

    private static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}

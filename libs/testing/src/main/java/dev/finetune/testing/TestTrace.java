package dev.finetune.testing;

import dev.finetune.events.kafka.TraceContext;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A trace a test starts, as a W3C traceparent to send with its input (a record header or an HTTP header), and
 * the trace id a produced record carries: an event continues its input's trace when the two ids are equal.
 * Random per test, so no other test's record can match by accident.
 */
public record TestTrace(String traceId, String traceparent) {

    public static TestTrace random() {
        String traceId = hex(16);
        return new TestTrace(traceId, "00-" + traceId + "-" + hex(8) + "-01");
    }

    /** Kafka headers holding only this trace's traceparent. */
    public Headers headers() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(TraceContext.TRACEPARENT_HEADER, traceparent.getBytes(StandardCharsets.UTF_8));
        return headers;
    }

    /** The trace id of the record's traceparent header, or null when it has none. */
    public static String traceIdOf(ConsumerRecord<?, ?> record) {
        Header header = record.headers().lastHeader(TraceContext.TRACEPARENT_HEADER);
        if (header == null) {
            return null;
        }
        String[] parts = new String(header.value(), StandardCharsets.UTF_8).split("-");
        return parts.length == 4 ? parts[1] : null;
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        random[0] |= 1; // never all zeros, which W3C reserves for "invalid"
        return HexFormat.of().formatHex(random);
    }
}

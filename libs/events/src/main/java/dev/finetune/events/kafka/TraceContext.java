package dev.finetune.events.kafka;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Carries one OpenTelemetry trace across the places where the automatic propagation (REST and Kafka spans)
 * stops: work that waits in a table (an outbox row, a queued run, a pending record) and runs later on a
 * thread of its own, possibly in another instance. Such a row stores {@link #current()}, the W3C
 * {@code traceparent} of the work that created it; the deferred work runs inside {@link #resume}, so its log
 * lines show the trace id and the events it publishes ({@link EventMessages}) continue the trace. A row
 * without a traceparent (written before tracing) or with a malformed one starts a new trace, never fails.
 */
public final class TraceContext {

    /** The W3C Trace Context header on every record, next to {@link EventMessages#CORRELATION_ID_HEADER}. */
    public static final String TRACEPARENT_HEADER = "traceparent";

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

    /** Reads a lone traceparent as if it were the only header of a request. */
    private static final TextMapGetter<String> SINGLE_HEADER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String traceparent) {
            return List.of(TRACEPARENT_HEADER);
        }

        @Override
        public String get(String traceparent, String key) {
            return TRACEPARENT_HEADER.equals(key) ? traceparent : null;
        }
    };

    private TraceContext() {
    }

    /** The traceparent of the span current on this thread, or null when there is none. */
    public static String current() {
        return traceparentOf(Context.current());
    }

    static String traceparentOf(Context context) {
        if (!Span.fromContext(context).getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(4);
        W3C.inject(context, carrier, (map, key, value) -> map.put(key, value));
        return carrier.get(TRACEPARENT_HEADER);
    }

    /**
     * A context whose span is the (remote) one a stored traceparent names; the root context, so a new trace,
     * when the traceparent is null or malformed.
     */
    public static Context restore(String traceparent) {
        if (traceparent == null || traceparent.isBlank()) {
            return Context.root();
        }
        return W3C.extract(Context.root(), traceparent.strip(), SINGLE_HEADER);
    }

    /**
     * Starts a span for {@code operation} as a child of the stored traceparent (a new trace when there is
     * none, whatever is current on this thread) and makes it current until the returned scope closes, which
     * also ends the span. Quarkus puts the trace id in the logging MDC while it is current.
     */
    public static Scope resume(Tracer tracer, String traceparent, String operation) {
        Context parent = restore(traceparent);
        Span span = tracer.spanBuilder(operation).setParent(parent).setSpanKind(SpanKind.INTERNAL).startSpan();
        Scope scope = parent.with(span).makeCurrent();
        return () -> {
            scope.close();
            span.end();
        };
    }
}

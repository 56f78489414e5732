package dev.finetune.events.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** A stored traceparent comes back as the same trace; a missing or malformed one starts a new trace. */
class TraceContextTests {

    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String TRACEPARENT = "00-" + TRACE_ID + "-b7ad6b7169203331-01";

    private static final SdkTracerProvider PROVIDER = SdkTracerProvider.builder().build();
    private static final Tracer TRACER = PROVIDER.get("test");

    @AfterAll
    static void close() {
        PROVIDER.close();
    }

    @Test
    void aRestoredTraceparentIsCurrentAgainUnchanged() {
        assertThat(TraceContext.current()).isNull();
        try (Scope ignored = TraceContext.restore(TRACEPARENT).makeCurrent()) {
            assertThat(TraceContext.current()).isEqualTo(TRACEPARENT);
        }
        assertThat(TraceContext.current()).isNull();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "garbage", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
            "00-00000000000000000000000000000000-b7ad6b7169203331-01", // the all-zero trace id is invalid
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", // so is the all-zero span id
            "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", // version ff is forbidden
            "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01"}) // upper case is not W3C
    void noUsableTraceparentRestoresTheRootContext(String traceparent) {
        assertThat(TraceContext.restore(traceparent)).isSameAs(Context.root());
    }

    @Test
    void resumingContinuesTheStoredTraceInAChildSpan() {
        try (Scope ignored = TraceContext.resume(TRACER, TRACEPARENT, "outbox send")) {
            SpanContext resumed = Span.current().getSpanContext();
            assertThat(resumed.getTraceId()).isEqualTo(TRACE_ID);
            assertThat(resumed.getSpanId()).isNotEqualTo("b7ad6b7169203331");
            assertThat(TraceContext.current()).startsWith("00-" + TRACE_ID + "-" + resumed.getSpanId() + "-");
        }
        assertThat(Span.current().getSpanContext().isValid()).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"garbage", "00-00000000000000000000000000000000-b7ad6b7169203331-01"})
    void withoutAUsableTraceparentResumingStartsANewTraceWhateverIsCurrent(String traceparent) {
        try (Scope outer = TraceContext.restore(TRACEPARENT).makeCurrent();
             Scope resumed = TraceContext.resume(TRACER, traceparent, "training run")) {
            SpanContext started = Span.current().getSpanContext();
            assertThat(started.isValid()).isTrue();
            assertThat(started.getTraceId()).isNotEqualTo(TRACE_ID);
        }
    }
}

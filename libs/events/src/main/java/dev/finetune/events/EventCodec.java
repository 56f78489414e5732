package dev.finetune.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.stream.Collectors;

/**
 * JSON for every event, configured once: ISO-8601 instants, unknown fields tolerated (so producers can
 * add fields without breaking older consumers), missing required fields rejected with their name.
 */
public final class EventCodec {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private EventCodec() {
    }

    public static String encode(Object event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + event.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads one event. Any problem (not JSON, wrong shape, a missing required field) is an
     * {@link EventFormatException} whose message names the type and the field, for the dead-letter record.
     */
    public static <T> T decode(String json, Class<T> type) {
        if (json == null || json.isBlank()) {
            throw new EventFormatException(type.getSimpleName() + ": empty record value");
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new EventFormatException(type.getSimpleName() + ": " + cause.getMessage(), e);
        } catch (JsonMappingException e) {
            String path = fieldPath(e);
            String problem = path.isEmpty() ? e.getOriginalMessage()
                    : e.getOriginalMessage().startsWith("Cannot map `null`") ? "missing required field '" + path + "'"
                    : "field '" + path + "': " + e.getOriginalMessage();
            throw new EventFormatException(type.getSimpleName() + ": " + problem, e);
        } catch (JsonProcessingException e) {
            throw new EventFormatException(type.getSimpleName() + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String fieldPath(JsonMappingException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    /** The shared mapper, for callers that need a tree view (documentation tests, tooling). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}

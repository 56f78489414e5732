package dev.finetune.support.problem;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * An RFC 9457 (problem+json) error body, the one shape every service answers errors in. {@code type} is a URI
 * under {@link #TYPE_BASE} naming the kind of problem (docs/operations.md#errors), so a client can tell one
 * 409 from another; {@code errorId} is set on unexpected errors only, and names the log entry that has them;
 * {@code members} are the kind's own extension members (a line number, the field that is out of bounds), written
 * next to the standard ones.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"type", "title", "status", "detail", "instance", "errorId"})
public record Problem(String type, String title, int status, String detail, String instance, String errorId,
                      @JsonIgnore Map<String, Object> members) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://finetune.dev/problems/";

    public Problem {
        members = members == null ? Map.of() : members;
    }

    @JsonAnyGetter
    public Map<String, Object> extensionMembers() {
        return members;
    }

    /** The problem as a response with its status and media type. */
    public Response toResponse() {
        return Response.status(status).type(MediaType.valueOf(MEDIA_TYPE)).entity(this).build();
    }

    /** The generic kind of a status: what the framework's own errors (unknown path, wrong method) are. */
    static String kindOf(int status) {
        return switch (status) {
            case 400 -> "invalid-request";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> "too-large";
            case 415 -> "unsupported-media-type";
            case 500 -> "internal-error";
            default -> "http-" + status;
        };
    }
}

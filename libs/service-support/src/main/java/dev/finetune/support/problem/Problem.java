package dev.finetune.support.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 (problem+json) error body, the one shape every service answers errors in. {@code type} is a URI
 * under {@link #TYPE_BASE} naming the kind of problem (docs/operations.md#errors), so a client can tell one
 * 409 from another; {@code errorId} is set on unexpected errors only, and names the log entry that has them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String errorId) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://finetune.dev/problems/";

    /** A problem of the generic kind for {@code status} (invalid-request, not-found, conflict, ...). */
    public static Response response(Response.Status status, String detail) {
        return response(status, kindOf(status.getStatusCode()), detail);
    }

    /** A problem of the named kind, {@code TYPE_BASE + kind}. */
    public static Response response(Response.Status status, String kind, String detail) {
        return build(new Problem(TYPE_BASE + kind, status.getReasonPhrase(), status.getStatusCode(), detail, null,
                null));
    }

    static Response build(Problem problem) {
        return Response.status(problem.status()).type(MediaType.valueOf(MEDIA_TYPE)).entity(problem).build();
    }

    /** The generic kind of a status: the kinds every service may answer, whatever its own kinds are. */
    static String kindOf(int status) {
        return switch (status) {
            case 400 -> "invalid-request";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 409 -> "conflict";
            case 413 -> "too-large";
            case 415 -> "unsupported-media-type";
            case 500 -> "internal-error";
            case 503 -> "unavailable";
            default -> "http-" + status;
        };
    }
}

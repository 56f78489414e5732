package dev.finetune.support.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Collection;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error of the REST API as problem+json. A 4xx comes only from a {@link ProblemException} the service
 * throws where it means one, from a body the JSON reader refuses, or from the framework (unknown path, wrong
 * method or media type); everything else is a 500 with an error id. There is deliberately no mapping of
 * {@link IllegalArgumentException} or {@link IllegalStateException}: thrown from a library, they are our bug.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response refused(ProblemException e, UriInfo uri) {
        Response response = e.problem(path(uri)).toResponse();
        if (e.retryAfterSeconds() == null) {
            return response;
        }
        return Response.fromResponse(response).header("Retry-After", e.retryAfterSeconds()).build();
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e, UriInfo uri) {
        return JsonProblems.of(e).problem(path(uri)).toResponse();
    }

    /** Named on its own: Quarkus REST has a built-in mapper for it that answers in plain text. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        return unreadable(e, uri);
    }

    @ServerExceptionMapper
    public Response framework(WebApplicationException e, UriInfo uri) {
        // Quarkus REST wraps a body Jackson cannot read in a plain 400 whose message says only
        // "HTTP 400 Bad Request"; the reader's own exception is what tells the caller where the body broke.
        if (e.getCause() instanceof JsonProcessingException unreadable) {
            return unreadable(unreadable, uri);
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        return new Problem(Problem.TYPE_BASE + Problem.kindOf(status),
                known == null ? e.getResponse().getStatusInfo().getReasonPhrase() : known.getReasonPhrase(), status,
                e.getMessage(), path(uri), null, null).toResponse();
    }

    /**
     * Anything no other mapper knows is a fault of ours: a 500 whose detail names an error id, under which the
     * exception and its stack trace are logged, and never the exception itself (it may tell internals to anyone).
     */
    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected error, errorId=%s", errorId);
        return new Problem(Problem.TYPE_BASE + "internal-error", "Internal Server Error", 500,
                "an unexpected error occurred; the service's log has it under error id " + errorId, null, errorId,
                null).toResponse();
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }

    /** The three ways a JSON body is refused: not JSON, a field of the wrong type, a field nobody asked for. */
    static final class JsonProblems {

        private JsonProblems() {
        }

        static ProblemException of(JsonProcessingException e) {
            if (e instanceof UnrecognizedPropertyException unknown) {
                String field = path(unknown);
                return new ProblemException(400, "unknown-field", "Unknown field", "unknown field '" + field
                        + "'; the fields are " + known(unknown.getKnownPropertyIds())).with("field", field);
            }
            if (e instanceof MismatchedInputException mismatched && !mismatched.getPath().isEmpty()) {
                String field = path(mismatched);
                return new ProblemException(400, "wrong-json-type", "A field has the wrong JSON type", "field '"
                        + field + "' must be " + expected(mismatched.getTargetType())).with("field", field);
            }
            return new ProblemException(400, "unreadable-json", "The body is not readable JSON",
                    "unreadable JSON: " + e.getOriginalMessage());
        }

        /** {@code hyperparameters.epochs}, {@code inputs[2]}: where in the body the field is. */
        private static String path(JsonMappingException e) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference ref : e.getPath()) {
                if (ref.getFieldName() != null) {
                    path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            return path.toString();
        }

        private static String known(Collection<Object> ids) {
            return ids == null ? "[]" : new TreeSet<>(ids.stream().map(String::valueOf).toList()).toString();
        }

        private static String expected(Class<?> type) {
            if (type == null) {
                return "of another type";
            }
            if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                    || type == Short.class || type == short.class) {
                return "a whole number";
            }
            if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
                return "a number";
            }
            if (type == Boolean.class || type == boolean.class) {
                return "true or false";
            }
            if (type == String.class || type.isEnum()) {
                return "a string";
            }
            if (Collection.class.isAssignableFrom(type) || type.isArray()) {
                return "an array";
            }
            if (Map.class.isAssignableFrom(type) || !type.isPrimitive()) {
                return "an object";
            }
            return "of another type";
        }
    }
}

package dev.finetune.support.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of the REST API as problem+json, with a detail a person can act on. */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response invalid(IllegalArgumentException e) {
        return Problem.response(Response.Status.BAD_REQUEST, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e) {
        return Problem.response(Response.Status.BAD_REQUEST, "unreadable-json",
                "unreadable JSON: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return Problem.response(Response.Status.NOT_FOUND, e.getMessage());
    }

    @ServerExceptionMapper
    public Response other(WebApplicationException e) {
        // Quarkus REST wraps a body Jackson cannot parse in a plain 400 whose message says only
        // "HTTP 400 Bad Request"; the parser's own message is what tells the caller where the body broke.
        if (e.getCause() instanceof JsonProcessingException unreadable) {
            return unreadable(unreadable);
        }
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        return Problem.build(new Problem(Problem.TYPE_BASE + Problem.kindOf(status),
                known == null ? e.getResponse().getStatusInfo().getReasonPhrase() : known.getReasonPhrase(), status,
                e.getMessage(), null, null));
    }

    /**
     * Anything no other mapper knows is a fault of ours: a 500 whose detail names an error id, under which the
     * exception and its stack trace are logged, and never the exception itself (it may tell internals to anyone).
     */
    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        String errorId = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected error, errorId=%s", errorId);
        return Problem.build(new Problem(Problem.TYPE_BASE + "internal-error", "Internal Server Error", 500,
                "an unexpected error occurred; the service's log has it under error id " + errorId, null, errorId));
    }
}

package dev.finetune.support.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error of the REST API as problem+json, with a detail a person can act on. */
public class ProblemMappers {

    @ServerExceptionMapper
    public Response invalid(IllegalArgumentException e) {
        return Problem.response(Response.Status.BAD_REQUEST, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e) {
        return Problem.response(Response.Status.BAD_REQUEST, "unreadable JSON: " + e.getOriginalMessage());
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
        Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
        return Problem.response(status == null ? Response.Status.BAD_REQUEST : status, e.getMessage());
    }
}

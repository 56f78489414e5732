package dev.finetune.registry.api;

import dev.finetune.registry.domain.Registry;
import dev.finetune.support.problem.Problem;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The registry's own errors as problem+json; bad input, unreadable JSON and unknown paths are mapped by
 * {@link dev.finetune.support.problem.ProblemMappers} as in every service.
 */
public class RegistryProblemMappers {

    /** A move the model's state does not allow (already production, nothing to roll back to). */
    @ServerExceptionMapper
    public Response conflict(IllegalStateException e) {
        return Problem.response(Response.Status.CONFLICT, e.getMessage());
    }

    @ServerExceptionMapper
    public Response missing(Registry.NoSuchElementException e) {
        return Problem.response(Response.Status.NOT_FOUND, e.getMessage());
    }
}

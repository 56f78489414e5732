package dev.finetune.support.problem;

import dev.finetune.support.access.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;

/** Test-only endpoints that fail the ways the services' resources fail, for the mappers to answer. */
@Path("/problems")
@RolesAllowed(Roles.READER)
public class ProblemProbeResource {

    public record Body(String name, int size) {
    }

    @GET
    @Path("/{kind}")
    public String fail(@PathParam("kind") String kind) {
        switch (kind) {
            case "refused" -> throw new ProblemException(409, "dataset-busy", "The data set is busy",
                    "data set reviews is busy").with("dataset", "reviews");
            case "busy" -> throw new ProblemException(429, "too-busy", "Too busy", "at most 2 at once")
                    .retryAfter(5);
            case "unprocessable" -> throw new WebApplicationException("no such label", 422);
            case "bug" -> throw new IllegalStateException("connection pool internals at 10.0.0.7");
            case "library" -> throw new IllegalArgumentException("bad key at 10.0.0.7 in /etc/secret");
            default -> {
                return "fine";
            }
        }
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public String accept(Body body) {
        return body.name() + ":" + body.size();
    }
}

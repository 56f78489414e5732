package dev.finetune.support.access;

import dev.finetune.support.problem.Problem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Sign-in refusals in the one problem+json dialect: 401 {@code unauthenticated} (no token, or one that is
 * expired, forged, of another issuer or audience) with {@code WWW-Authenticate: Bearer}, and 403
 * {@code forbidden} (a valid token without the role the endpoint needs). Authentication is lazy
 * ({@code quarkus.http.auth.proactive=false}) so that these reach the REST layer's mappers.
 */
public class AccessProblems {

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(RuntimeException e, UriInfo uri) {
        return Response.fromResponse(new Problem(Problem.TYPE_BASE + "unauthenticated", "Sign-in required", 401,
                        "a valid bearer token is required (Authorization: Bearer <token> from the platform's OIDC"
                                + " provider, with audience 'finetune')", uri.getPath(), null, null).toResponse())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return new Problem(Problem.TYPE_BASE + "forbidden", "Role missing", 403,
                "your token does not hold a role this operation needs (docs/operations.md#sign-in lists them)",
                uri.getPath(), null, null).toResponse();
    }
}

package dev.finetune.dataset.api;

import dev.finetune.dataset.domain.DatasetLock;
import dev.finetune.dataset.validation.FatalProblem;
import dev.finetune.events.EventCodec;
import dev.finetune.support.problem.Problem;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The data set API's own problems, in the platform's one problem+json shape ({@link Problem}, with its type
 * base): {@code type}, {@code title}, {@code status}, {@code detail}, {@code instance}, and for input problems the
 * {@code line} and {@code reason}. Generic and unexpected errors are mapped by the shared ProblemMappers.
 */
public class Problems {

    public static final String MEDIA_TYPE = Problem.MEDIA_TYPE;

    @ServerExceptionMapper
    public Response fatal(FatalProblem problem, UriInfo uri) {
        Map<String, Object> body = base(problem.type(), problem.title(), problem.status(), problem.detail(), uri);
        if (problem.line() != null) {
            body.put("line", problem.line());
        }
        body.put("reason", problem.reason());
        problem.extra().forEach(body::putIfAbsent);
        return response(problem.status(), body);
    }

    @ServerExceptionMapper
    public Response busy(DatasetLock.Busy busy, UriInfo uri) {
        return response(409, base("busy", "The data set is being prepared", 409, busy.getMessage(), uri));
    }

    static FatalProblem notFound(String what) {
        return FatalProblem.of(404, "not-found", "Not found", null, what + " does not exist");
    }

    private static Map<String, Object> base(String type, String title, int status, String detail, UriInfo uri) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", Problem.TYPE_BASE + type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        if (uri != null) {
            body.put("instance", uri.getPath());
        }
        return body;
    }

    private static Response response(int status, Map<String, Object> body) {
        return Response.status(status).type(MEDIA_TYPE).entity(EventCodec.encode(body)).build();
    }
}

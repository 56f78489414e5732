package dev.finetune.evaluation.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.evaluation.domain.Evaluation;
import dev.finetune.evaluation.domain.EvaluationStore;
import dev.finetune.events.EventCodec;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Read-only access to Evaluations: lists, one evaluation with its report, and the report's pictures. */
@Path("/evaluations")
@Produces(MediaType.APPLICATION_JSON)
public class EvaluationResource {

    static final String SVG = "image/svg+xml";
    private static final int MAX_LIMIT = 500;

    private final EvaluationStore evaluations;
    private final ArtifactStore store;

    public EvaluationResource(EvaluationStore evaluations, ArtifactStore store) {
        this.evaluations = evaluations;
        this.store = store;
    }

    /** Newest first, filtered by model name and run id when given. */
    @GET
    public List<EvaluationView> list(@QueryParam("model") String model, @QueryParam("run") String run,
                                     @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw EvaluationProblems.invalidParameter("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        return evaluations.list(model, run, limit).stream().map(EvaluationView::of).toList();
    }

    @GET
    @Path("/{id}")
    public EvaluationView.Detail get(@PathParam("id") String id) {
        Evaluation evaluation = find(id);
        JsonNode report = null;
        if (evaluation.reportUri != null) {
            try {
                report = EventCodec.mapper().readTree(store.read(ObjectUri.parse(evaluation.reportUri)));
            } catch (IOException e) {
                throw new UncheckedIOException("report " + evaluation.reportUri + " of " + id + " is unreadable", e);
            }
        }
        return new EvaluationView.Detail(EvaluationView.of(evaluation), report);
    }

    @GET
    @Path("/{id}/confusion.svg")
    @Produces(SVG)
    public Response confusionMatrix(@PathParam("id") String id) {
        return picture(id, find(id).confusionUri, "confusion matrix");
    }

    @GET
    @Path("/{id}/reliability.svg")
    @Produces(SVG)
    public Response reliabilityDiagram(@PathParam("id") String id) {
        return picture(id, find(id).reliabilityUri, "reliability diagram");
    }

    private Response picture(String id, String uri, String what) {
        if (uri == null) {
            throw EvaluationProblems.pictureNotFound(id, what);
        }
        return Response.ok(store.read(ObjectUri.parse(uri)), SVG).build();
    }

    private Evaluation find(String id) {
        return evaluations.find(id).orElseThrow(() -> EvaluationProblems.evaluationNotFound(id));
    }
}

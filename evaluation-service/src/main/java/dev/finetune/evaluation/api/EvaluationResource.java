package dev.finetune.evaluation.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.evaluation.domain.Evaluation;
import dev.finetune.evaluation.domain.EvaluationMapper;
import dev.finetune.evaluation.domain.EvaluationStore;
import dev.finetune.evaluation.scoring.CheckpointEvaluator;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.support.problem.Problem;
import dev.finetune.events.EventCodec;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;

/** Evaluations: lists, one evaluation with its report, the report's pictures, and a retry of a failed one. */
@Path("/evaluations")
@Produces(MediaType.APPLICATION_JSON)
public class EvaluationResource {

    static final String SVG = "image/svg+xml";
    private static final int MAX_LIMIT = 500;

    private final EvaluationStore evaluations;
    private final ArtifactStore store;
    private final CheckpointEvaluator evaluator;

    public EvaluationResource(EvaluationStore evaluations, ArtifactStore store, CheckpointEvaluator evaluator) {
        this.evaluations = evaluations;
        this.store = store;
        this.evaluator = evaluator;
    }

    /** Newest first, filtered by model name and run id when given. */
    @GET
    public List<EvaluationView> list(@QueryParam("model") String model, @QueryParam("run") String run,
                                     @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
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

    /**
     * Scores a FAILED evaluation's checkpoint again (its package back in S3, say), as a new evaluation naming it in
     * {@code retryOf}, stored with its {@code evaluations.completed} (through the outbox) and answered 201 once
     * scored, succeeded or failed again. 409 for an evaluation that did not fail, or a checkpoint scored on its test
     * split since (the detail names that evaluation): a checkpoint succeeds, and is announced, once.
     */
    @POST
    @Path("/{id}/retry")
    public Response retry(@PathParam("id") String id) {
        Evaluation failed = find(id);
        if (failed.status != EvaluationCompleted.Status.FAILED) {
            return Problem.response(Response.Status.CONFLICT, "evaluation " + id + " is " + failed.status
                    + ": only a failed evaluation can be retried");
        }
        CheckpointEvaluator.Outcome outcome = evaluator.evaluate(EvaluationMapper.announcement(failed), id);
        if (!outcome.isNew()) {
            return Problem.response(Response.Status.CONFLICT, "checkpoint " + failed.checkpointUri
                    + " was scored on its test split already, as evaluation " + outcome.evaluation().id);
        }
        return Response.created(URI.create("/evaluations/" + outcome.evaluation().id))
                .entity(EvaluationView.of(outcome.evaluation())).build();
    }

    private Response picture(String id, String uri, String what) {
        if (uri == null) {
            throw new NotFoundException("evaluation " + id + " has no " + what + " (it failed)");
        }
        return Response.ok(store.read(ObjectUri.parse(uri)), SVG).build();
    }

    private Evaluation find(String id) {
        return evaluations.find(id).orElseThrow(() -> new NotFoundException("no evaluation " + id));
    }
}

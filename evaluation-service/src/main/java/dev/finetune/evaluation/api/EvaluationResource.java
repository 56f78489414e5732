package dev.finetune.evaluation.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.evaluation.domain.Evaluation;
import dev.finetune.evaluation.domain.EvaluationMapper;
import dev.finetune.evaluation.domain.EvaluationStore;
import dev.finetune.evaluation.scoring.CheckpointEvaluator;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventCodec;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.support.access.Caller;
import dev.finetune.support.access.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
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

/**
 * Evaluations: lists, one evaluation with its report, the report's pictures (readers of the owning team), and a
 * retry of a failed one (contributors of the owning team).
 */
@Path("/evaluations")
@Produces(MediaType.APPLICATION_JSON)
public class EvaluationResource {

    static final String SVG = "image/svg+xml";
    private static final int MAX_LIMIT = 500;

    private final EvaluationStore evaluations;
    private final ArtifactStore store;
    private final CheckpointEvaluator evaluator;
    private final Caller caller;

    public EvaluationResource(EvaluationStore evaluations, ArtifactStore store, CheckpointEvaluator evaluator,
                              Caller caller) {
        this.evaluations = evaluations;
        this.store = store;
        this.evaluator = evaluator;
        this.caller = caller;
    }

    /** Newest first, filtered by model name and run id when given. */
    @GET
    @RolesAllowed(Roles.READER)
    public List<EvaluationView> list(@QueryParam("model") String model, @QueryParam("run") String run,
                                     @QueryParam("limit") @DefaultValue("50") int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw EvaluationProblems.invalidParameter("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        return evaluations.list(model, run, caller.readableTeams(), limit).stream().map(EvaluationView::of).toList();
    }

    @GET
    @RolesAllowed(Roles.READER)
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
    @RolesAllowed(Roles.READER)
    @Path("/{id}/confusion.svg")
    @Produces(SVG)
    public Response confusionMatrix(@PathParam("id") String id) {
        return picture(id, find(id).confusionUri, "confusion matrix");
    }

    @GET
    @RolesAllowed(Roles.READER)
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
    @RolesAllowed(Roles.CONTRIBUTOR)
    public Response retry(@PathParam("id") String id) {
        Evaluation failed = find(id);
        caller.checkWrite(failed.team, "evaluation " + id);
        if (failed.status != EvaluationCompleted.Status.FAILED) {
            throw EvaluationProblems.evaluationNotRetryable(id, failed.status);
        }
        CheckpointEvaluator.Outcome outcome = evaluator.evaluate(EvaluationMapper.announcement(failed), id);
        if (!outcome.isNew()) {
            throw EvaluationProblems.checkpointScoredAlready(failed.checkpointUri, outcome.evaluation().id);
        }
        return Response.created(URI.create("/evaluations/" + outcome.evaluation().id))
                .entity(EvaluationView.of(outcome.evaluation())).build();
    }

    private Response picture(String id, String uri, String what) {
        if (uri == null) {
            throw EvaluationProblems.pictureNotFound(id, what);
        }
        return Response.ok(store.read(ObjectUri.parse(uri)), SVG).build();
    }

    /** The evaluation, if the caller may read its team's; else 404 as if it did not exist. */
    private Evaluation find(String id) {
        Evaluation evaluation = evaluations.find(id).orElseThrow(() -> EvaluationProblems.evaluationNotFound(id));
        if (!caller.canRead(evaluation.team)) {
            throw EvaluationProblems.evaluationNotFound(id);
        }
        return evaluation;
    }
}

package dev.finetune.training.api;

import dev.finetune.support.problem.Problem;

import dev.finetune.training.domain.Hyperparameters;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunSource;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import dev.finetune.training.runner.ProgressBroadcaster;
import dev.finetune.training.runner.RunExecutor;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.Consumes;
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
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** Training runs: start by hand, cancel, inspect, and follow live. */
@Path("/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    /** Body of {@code POST /runs}: a data set version this service has seen, and hyperparameter overrides. */
    public record StartRun(String dataset, Integer version, Hyperparameters hyperparameters) {
    }

    private final RunStore runs;
    private final RunExecutor executor;
    private final ProgressBroadcaster broadcaster;

    public RunResource(RunStore runs, RunExecutor executor, ProgressBroadcaster broadcaster) {
        this.runs = runs;
        this.executor = executor;
        this.broadcaster = broadcaster;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(StartRun request) {
        if (request == null || request.dataset() == null || request.version() == null) {
            throw new IllegalArgumentException("dataset and version are required");
        }
        RunSource known = runs.knownVersion(request.dataset(), request.version()).orElseThrow(() ->
                new NotFoundException("data set " + request.dataset() + " v" + request.version()
                        + " is unknown here: no datasets.prepared event has announced it"));
        RunSource source = new RunSource(known.dataset(), known.version(), known.contentSha256(), known.manifestUri(),
                known.trainUri(),
                known.validationUri(), known.modelName(), "manual-" + UUID.randomUUID(),
                null);
        RunStore.Enqueued enqueued = runs.enqueue(source,
                request.hyperparameters() == null ? Hyperparameters.NONE : request.hyperparameters());
        if (!enqueued.created()) {
            return Problem.response(Response.Status.CONFLICT, "run " + enqueued.run().id
                    + " already trains this data set version with these hyperparameters");
        }
        executor.wakeUp();
        return Response.created(URI.create("/runs/" + enqueued.run().id)).entity(RunView.of(enqueued.run())).build();
    }

    @GET
    public List<RunView> list(@QueryParam("dataset") String dataset, @QueryParam("status") String status,
            @QueryParam("limit") @DefaultValue("50") int limit) {
        RunStatus parsed = status == null ? null : parseStatus(status);
        return runs.list(dataset, parsed, Math.min(Math.max(limit, 1), 500)).stream().map(RunView::of).toList();
    }

    private static RunStatus parseStatus(String status) {
        try {
            return RunStatus.valueOf(status.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("status must be one of queued, running, succeeded, failed, cancelled; not '"
                    + status + "'");
        }
    }

    @GET
    @Path("/{id}")
    public RunView.Detailed get(@PathParam("id") UUID id) {
        Run run = runs.find(id).orElseThrow(() -> new NotFoundException("no run " + id));
        return RunView.detailed(run, runs.evaluations(id), runs.checkpoints(id));
    }

    /** 202 while a running run stops at its next step; a queued run is cancelled at once; 409 if it has ended. */
    @POST
    @Path("/{id}/cancel")
    public Response cancel(@PathParam("id") UUID id) {
        Run before = runs.find(id).orElseThrow(() -> new NotFoundException("no run " + id));
        if (before.status.finished()) {
            return Problem.response(Response.Status.CONFLICT, "run " + id + " has already ended: " + before.status);
        }
        Run after = runs.requestCancel(id).orElseThrow();
        return Response.accepted(RunView.of(after)).build();
    }

    /**
     * Retries a failed or cancelled run as a new run (201, its {@code retryOf} names this one) with the same data
     * set version and hyperparameters; 409 for a run in any other state or one retried already (the detail names
     * its retry).
     */
    @POST
    @Path("/{id}/retry")
    public Response retry(@PathParam("id") UUID id) {
        Run earlier = runs.find(id).orElseThrow(() -> new NotFoundException("no run " + id));
        if (earlier.status != RunStatus.FAILED && earlier.status != RunStatus.CANCELLED) {
            return Problem.response(Response.Status.CONFLICT, "run " + id + " is " + earlier.status
                    + ": only a failed or cancelled run can be retried");
        }
        RunStore.Enqueued retry = runs.retry(id).orElseThrow(); // failed and cancelled are final: still so
        if (!retry.created()) {
            return Problem.response(Response.Status.CONFLICT, "run " + id + " was retried already as run "
                    + retry.run().id + " (retry that one if it failed too)");
        }
        executor.wakeUp();
        return Response.created(URI.create("/runs/" + retry.run().id)).entity(RunView.of(retry.run())).build();
    }

    /** Live progress as Server-Sent Events; the stream ends with the run's final status. */
    @GET
    @Blocking // the run is looked up in the database first, which the IO thread may not do
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<ProgressBroadcaster.Update> events(@PathParam("id") UUID id) {
        Run run = runs.find(id).orElseThrow(() -> new NotFoundException("no run " + id));
        if (run.status.finished()) {
            return Multi.createFrom().item(new ProgressBroadcaster.Update(null, run.status));
        }
        return broadcaster.follow(id, () -> runs.find(id).orElseThrow().status);
    }
}

package dev.finetune.training.api;

import dev.finetune.support.access.Caller;
import dev.finetune.support.access.Roles;
import dev.finetune.training.domain.Hyperparameters;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunSource;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import dev.finetune.training.progress.ProgressBroadcaster;
import dev.finetune.training.progress.StreamGate;
import dev.finetune.training.runner.RunExecutor;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
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

/**
 * Training runs: inspect and follow live (readers of the owning team), start by hand, cancel and retry
 * (contributors of the owning team). A run belongs to its data set's team, as {@code datasets.prepared} said.
 */
@Path("/runs")
@Produces(MediaType.APPLICATION_JSON)
public class RunResource {

    /** A stream lasts as long as its run trains: a client refused for lack of slots waits a little longer. */
    static final int STREAM_RETRY_AFTER_SECONDS = 5;

    /** Body of {@code POST /runs}: a data set version this service has seen, and hyperparameter overrides. */
    public record StartRun(String dataset, Integer version, Hyperparameters hyperparameters) {
    }

    private final RunStore runs;
    private final RunExecutor executor;
    private final ProgressBroadcaster broadcaster;
    private final StreamGate streams;
    private final Caller caller;

    public RunResource(RunStore runs, RunExecutor executor, ProgressBroadcaster broadcaster, StreamGate streams,
            Caller caller) {
        this.runs = runs;
        this.executor = executor;
        this.broadcaster = broadcaster;
        this.streams = streams;
        this.caller = caller;
    }

    @POST
    @RolesAllowed(Roles.CONTRIBUTOR)
    @Consumes(MediaType.APPLICATION_JSON)
    public Response start(StartRun request) {
        if (request.dataset() == null || request.version() == null) {
            throw TrainingProblems.missingField("dataset and version are required");
        }
        Hyperparameters overrides = request.hyperparameters() == null ? Hyperparameters.NONE
                : request.hyperparameters().checked();
        RunSource known = runs.knownVersion(request.dataset(), request.version()).orElseThrow(() ->
                TrainingProblems.datasetVersionUnknown(request.dataset(), request.version()));
        // The version's team owns the new run: another team's version is unknown to the caller, as if absent.
        if (!caller.canRead(known.team())) {
            throw TrainingProblems.datasetVersionUnknown(request.dataset(), request.version());
        }
        caller.checkWrite(known.team(), "data set " + request.dataset());
        RunSource source = known.withRequester("manual-" + UUID.randomUUID(), null);
        RunStore.Enqueued enqueued = runs.enqueue(source, overrides);
        if (!enqueued.created()) {
            throw TrainingProblems.runExists(enqueued.run().id);
        }
        executor.wakeUp();
        return Response.created(URI.create("/runs/" + enqueued.run().id)).entity(RunView.of(enqueued.run())).build();
    }

    @GET
    @RolesAllowed(Roles.READER)
    public List<RunView> list(@QueryParam("dataset") String dataset, @QueryParam("status") String status,
            @QueryParam("limit") @DefaultValue("50") int limit) {
        RunStatus parsed = status == null ? null : parseStatus(status);
        return runs.list(dataset, parsed, caller.readableTeams(), Math.min(Math.max(limit, 1), 500)).stream().map(RunView::of).toList();
    }

    private static RunStatus parseStatus(String status) {
        try {
            return RunStatus.valueOf(status.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw TrainingProblems.invalidParameter("status must be one of queued, running, succeeded, failed, "
                    + "cancelled; not '" + status + "'");
        }
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{id}")
    public RunView.Detailed get(@PathParam("id") UUID id) {
        Run run = find(id);
        return RunView.detailed(run, runs.evaluations(id), runs.checkpoints(id));
    }

    /** 202 while a running run stops at its next step; a queued run is cancelled at once; 409 if it has ended. */
    @POST
    @RolesAllowed(Roles.CONTRIBUTOR)
    @Path("/{id}/cancel")
    public Response cancel(@PathParam("id") UUID id) {
        Run before = find(id);
        caller.checkWrite(before.team, "run " + id);
        if (before.status.finished()) {
            throw TrainingProblems.runEnded(id, before.status);
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
    @RolesAllowed(Roles.CONTRIBUTOR)
    @Path("/{id}/retry")
    public Response retry(@PathParam("id") UUID id) {
        Run earlier = find(id);
        caller.checkWrite(earlier.team, "run " + id);
        if (earlier.status != RunStatus.FAILED && earlier.status != RunStatus.CANCELLED) {
            throw TrainingProblems.runNotRetryable(id, earlier.status);
        }
        RunStore.Enqueued retry = runs.retry(id).orElseThrow(); // failed and cancelled are final: still so
        if (!retry.created()) {
            throw TrainingProblems.runRetriedAlready(id, retry.run().id);
        }
        executor.wakeUp();
        return Response.created(URI.create("/runs/" + retry.run().id)).entity(RunView.of(retry.run())).build();
    }

    /**
     * Live progress as Server-Sent Events, whichever instance executes the run; the stream ends with the run's
     * final status. A run that has ended answers that status at once. 429 {@code too-many-streams} when this
     * instance has {@code training.progress.max-streams} open.
     */
    @GET
    @RolesAllowed(Roles.READER)
    @Blocking // the run is looked up in the database first, which the IO thread may not do
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<ProgressBroadcaster.Update> events(@PathParam("id") UUID id) {
        Run run = find(id);
        if (run.status.finished()) {
            return Multi.createFrom().item(new ProgressBroadcaster.Update(null, run.status));
        }
        if (!streams.tryEnter()) {
            throw TrainingProblems.tooManyStreams(streams.max()).retryAfter(STREAM_RETRY_AFTER_SECONDS);
        }
        try {
            // The slot is held until the stream ends or its client goes away (cancellation), whichever is first.
            return broadcaster.follow(id, () -> runs.find(id).orElseThrow().status)
                    .onTermination().invoke(streams::release);
        } catch (RuntimeException e) {
            streams.release();
            throw e;
        }
    }

    /** The run, if the caller may read its team's; else 404 as if it did not exist. */
    private Run find(UUID id) {
        Run run = runs.find(id).orElseThrow(() -> TrainingProblems.runNotFound(id));
        if (!caller.canRead(run.team)) {
            throw TrainingProblems.runNotFound(id);
        }
        return run;
    }
}

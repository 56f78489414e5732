package dev.finetune.registry.api;

import dev.finetune.registry.batch.BatchPrediction;
import dev.finetune.registry.batch.BatchPredictionWorker;
import dev.finetune.registry.batch.BatchPredictions;
import dev.finetune.registry.batch.InputFormat;
import dev.finetune.registry.config.RegistrySettings;
import dev.finetune.registry.domain.ModelVersion;
import dev.finetune.registry.domain.Registry;
import dev.finetune.registry.domain.RegistryProblems;
import dev.finetune.registry.serving.ModelServer;
import dev.finetune.registry.serving.PredictTarget;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.MissingObjectException;
import dev.finetune.storage.ObjectUri;
import dev.finetune.storage.StorageException;
import dev.finetune.support.access.Caller;
import dev.finetune.support.access.Roles;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Batch predictions: a file of texts (JSON Lines or CSV, uploaded or named by an {@code s3://} URI) scored by one
 * version of a model into JSON Lines in the store, as a job any registry instance executes; progress here, the end on
 * {@code batch-predictions.completed}. The version is the one {@code ?version=} or {@code ?alias=} names (production
 * by default) when the job is created.
 */
@Path("/models/{name}/batch-predictions")
@Produces(MediaType.APPLICATION_JSON)
public class BatchPredictionResource {

    /** Where an input in the platform's own bucket may be: anywhere else there are other teams' objects. */
    public static final String INPUT_PREFIX = "batch-inputs/";
    private static final int MAX_LISTED = 100;
    private static final int RETRY_AFTER_SECONDS = 5;

    /** An input already in the store: {@code format} may be left out when the key ends in .jsonl, .ndjson or .csv. */
    public record InputRef(String input, String format) {
    }

    public record BatchPredictionView(String id, String model, int version, String status, String format,
                                      String inputUri, long inputBytes, String outputUri, long rowsScored,
                                      double progress, String failureReason, int attempts, String createdBy,
                                      Instant createdAt, Instant startedAt, Instant finishedAt) {
    }

    private final BatchPredictions jobs;
    private final BatchPredictionWorker worker;
    private final ModelServer server;
    private final Registry registry;
    private final ArtifactStore store;
    private final RegistrySettings settings;
    private final Caller caller;

    public BatchPredictionResource(BatchPredictions jobs, BatchPredictionWorker worker, ModelServer server,
                                   Registry registry, ArtifactStore store, RegistrySettings settings, Caller caller) {
        this.jobs = jobs;
        this.worker = worker;
        this.server = server;
        this.registry = registry;
        this.store = store;
        this.settings = settings;
        this.caller = caller;
    }

    /** A job over an object already in the store: {@code {"input": "s3://bucket/key.csv", "format": "csv"}}. */
    @POST
    @RolesAllowed(Roles.PREDICTOR)
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    public Response fromStore(@PathParam("name") String name, @QueryParam("version") String version,
                              @QueryParam("alias") String alias, InputRef body) {
        ModelVersion target = target(name, version, alias);
        if (body == null || body.input() == null || body.input().isBlank()) {
            throw RegistryProblems.invalidBatchInput("the body must name the input: {\"input\": \"s3://bucket/key.jsonl\"}");
        }
        ObjectUri uri;
        try {
            uri = ObjectUri.parse(body.input());
        } catch (IllegalArgumentException e) {
            throw RegistryProblems.invalidBatchInput("input " + body.input() + " is not an s3://bucket/key URI");
        }
        if (uri.bucket().equals(store.bucket()) && !uri.key().startsWith(INPUT_PREFIX)) {
            throw RegistryProblems.batchInputForbidden(uri.toString());
        }
        InputFormat format = body.format() != null
                ? InputFormat.named(body.format()).orElseThrow(() -> RegistryProblems.invalidBatchInput(
                        "format must be jsonl or csv, was " + body.format()))
                : InputFormat.ofKey(uri.key()).orElseThrow(() -> RegistryProblems.invalidBatchInput("the key of "
                        + uri + " does not say its format (.jsonl, .ndjson, .csv): give \"format\""));
        long size = sizeOf(uri);
        if (size > settings.batch().maxInputBytes()) {
            throw RegistryProblems.batchInputTooLarge(size, settings.batch().maxInputBytes());
        }
        return created(newJob(UUID.randomUUID().toString(), target, format, uri, size));
    }

    /** A job over the request's body, stored first as the job's input. */
    @POST
    @RolesAllowed(Roles.PREDICTOR)
    @Blocking
    @Consumes({"application/x-ndjson", "application/jsonl", "text/csv"})
    public Response upload(@PathParam("name") String name, @QueryParam("version") String version,
                           @QueryParam("alias") String alias, @jakarta.ws.rs.HeaderParam("Content-Type") String type,
                           InputStream body) {
        ModelVersion target = target(name, version, alias);
        InputFormat format = type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/csv") ? InputFormat.CSV : InputFormat.JSONL;
        String id = UUID.randomUUID().toString();
        String key = "batch-predictions/" + id + "/input" + format.suffix();
        Bounded bounded = new Bounded(body, settings.batch().maxInputBytes());
        long size;
        try {
            size = store.put(key, bounded, format.contentType()).size();
        } catch (StorageException e) {
            if (bounded.exceeded) {
                throw RegistryProblems.batchInputTooLarge(-1, settings.batch().maxInputBytes());
            }
            throw RegistryProblems.artifactStoreUnavailable(e.getMessage()).retryAfter(RETRY_AFTER_SECONDS);
        }
        if (size == 0) {
            store.delete(store.uri(key));
            throw RegistryProblems.invalidBatchInput("the body is empty: send the rows to score");
        }
        return created(newJob(id, target, format, store.uri(key), size));
    }

    @GET
    @RolesAllowed(Roles.PREDICTOR)
    public List<BatchPredictionView> list(@PathParam("name") String name) {
        checkRead(name);
        return jobs.of(name, MAX_LISTED).stream().map(BatchPredictionResource::view).toList();
    }

    @GET
    @RolesAllowed(Roles.PREDICTOR)
    @Path("/{id}")
    public BatchPredictionView get(@PathParam("name") String name, @PathParam("id") String id) {
        return view(job(name, id));
    }

    /** The predictions, JSON Lines, once the job has succeeded. */
    @GET
    @RolesAllowed(Roles.PREDICTOR)
    @Path("/{id}/predictions")
    @Produces("application/x-ndjson")
    public Response predictions(@PathParam("name") String name, @PathParam("id") String id) {
        BatchPrediction job = job(name, id);
        if (job.status != BatchPrediction.Status.SUCCEEDED) {
            throw RegistryProblems.batchPredictionNotSucceeded(id, job.status.name().toLowerCase(), job.failureReason);
        }
        ObjectUri output = ObjectUri.parse(job.outputUri);
        StreamingOutput stream = out -> store.copyTo(output, out);
        return Response.ok(stream, "application/x-ndjson")
                .header("Content-Disposition", "attachment; filename=\"" + id + "-predictions.jsonl\"").build();
    }

    private BatchPrediction job(String name, String id) {
        checkRead(name);
        return jobs.find(name, id).orElseThrow(() -> RegistryProblems.batchPredictionNotFound(name, id));
    }

    /** The version the job will use, resolved now; 404 as predict answers for what the caller may not see. */
    private ModelVersion target(String name, String version, String alias) {
        PredictTarget target = PredictTarget.parse(version, alias);
        if (!registry.teamOf(name).map(caller::canRead).orElse(true)) {
            throw RegistryProblems.modelNotFound(name);
        }
        return server.resolve(name, target);
    }

    private void checkRead(String name) {
        if (!registry.teamOf(name).map(caller::canRead).orElse(false)) {
            throw RegistryProblems.modelNotFound(name);
        }
    }

    private long sizeOf(ObjectUri uri) {
        try {
            return store.size(uri).orElseThrow(() -> RegistryProblems.invalidBatchInput("input " + uri
                    + " does not exist"));
        } catch (MissingObjectException e) {
            throw RegistryProblems.invalidBatchInput("input " + uri + " does not exist");
        } catch (StorageException e) {
            throw RegistryProblems.artifactStoreUnavailable(e.getMessage()).retryAfter(RETRY_AFTER_SECONDS);
        }
    }

    private BatchPrediction newJob(String id, ModelVersion target, InputFormat format, ObjectUri input, long size) {
        BatchPrediction job = new BatchPrediction();
        job.id = id;
        job.modelName = target.modelName;
        job.version = target.version;
        job.team = target.team;
        job.format = format;
        job.inputUri = input.toString();
        job.inputBytes = size;
        job.createdBy = caller.subject();
        BatchPrediction created = jobs.create(job);
        worker.wakeUp();
        return created;
    }

    private static Response created(BatchPrediction job) {
        return Response.accepted(view(job))
                .location(URI.create("/models/" + job.modelName + "/batch-predictions/" + job.id)).build();
    }

    static BatchPredictionView view(BatchPrediction job) {
        double progress = job.status == BatchPrediction.Status.SUCCEEDED ? 1.0
                : job.inputBytes == 0 ? 0.0 : Math.min(1.0, (double) job.bytesRead / job.inputBytes);
        return new BatchPredictionView(job.id, job.modelName, job.version, job.status.name().toLowerCase(),
                job.format.name().toLowerCase(), job.inputUri, job.inputBytes, job.outputUri, job.rowsScored, progress,
                job.failureReason, job.attempts, job.createdBy, job.createdAt, job.startedAt, job.finishedAt);
    }

    /** The request body, refused past {@code max} bytes: the upload fails and {@link #exceeded} says why. */
    private static final class Bounded extends FilterInputStream {
        private final long max;
        private long read;
        private volatile boolean exceeded;

        Bounded(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            count(Math.max(n, 0));
            return n;
        }

        private void count(int n) throws IOException {
            read += n;
            if (read > max) {
                exceeded = true;
                throw new IOException("the input is longer than " + max + " bytes");
            }
        }
    }
}

package dev.finetune.dataset.api;

import dev.finetune.dataset.config.DatasetConfig;
import dev.finetune.dataset.domain.Dataset;
import dev.finetune.dataset.domain.DatasetLock;
import dev.finetune.dataset.domain.DatasetVersion;
import dev.finetune.dataset.domain.ModelReferences;
import dev.finetune.dataset.domain.PendingExamples;
import dev.finetune.dataset.ingest.CsvRowSource;
import dev.finetune.dataset.ingest.SpooledUpload;
import dev.finetune.dataset.ingest.UploadFormat;
import dev.finetune.dataset.ingest.UploadGate;
import dev.finetune.dataset.preparation.ArtifactLayout;
import dev.finetune.dataset.preparation.Manifest;
import dev.finetune.dataset.preparation.VersionBuilder;
import dev.finetune.dataset.preparation.VersionMapper;
import dev.finetune.dataset.preparation.VersionPreparer;
import dev.finetune.dataset.split.Split;
import dev.finetune.dataset.trigger.TriggerSettings;
import dev.finetune.dataset.trigger.VersionTrigger;
import dev.finetune.dataset.validation.FatalProblem;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.support.access.Caller;
import dev.finetune.support.access.Roles;
import dev.finetune.support.outbox.OutboxEvent;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The data set API: upload a version, cut one from pending records, list and read versions, download splits
 * and the quarantine, set a data set's trigger, delete a data set no model depends on. Each data set belongs to
 * a team: readers of that team read it (others get 404, as if it did not exist), its contributors add versions
 * and set its trigger, its approvers delete it; administrators act on every team's.
 */
@Path("/datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    private static final Logger LOG = Logger.getLogger(DatasetResource.class);
    private static final String GZIP = "application/gzip";
    /** An upload slot frees when another upload ends: soon, for the small ones a burst is usually made of. */
    private static final int UPLOAD_RETRY_AFTER_SECONDS = 1;

    private final VersionPreparer preparer;
    private final VersionTrigger trigger;
    private final PendingExamples pending;
    private final ModelReferences references;
    private final DatasetLock lock;
    private final ArtifactStore store;
    private final DatasetConfig config;
    private final Caller caller;
    private final UploadGate gate;

    public DatasetResource(VersionPreparer preparer, VersionTrigger trigger, PendingExamples pending,
                           ModelReferences references, DatasetLock lock, ArtifactStore store, DatasetConfig config,
                           Caller caller, UploadGate gate) {
        this.caller = caller;
        this.gate = gate;
        this.preparer = preparer;
        this.trigger = trigger;
        this.pending = pending;
        this.references = references;
        this.lock = lock;
        this.store = store;
        this.config = config;
    }

    @GET
    @RolesAllowed(Roles.READER)
    public List<Views.DatasetView> list() {
        return QuarkusTransaction.requiringNew().call(() ->
                Dataset.allByName(caller.readableTeams()).stream().map(this::view).toList());
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("{name}")
    public Views.DatasetView get(@PathParam("name") String name) {
        return view(dataset(name));
    }

    /**
     * Uploads a version. The body is JSON Lines ({@code application/x-ndjson}) or CSV ({@code text/csv}),
     * optionally gzip-compressed, and is streamed: it is never held in memory. It is spooled to local disk first
     * (its byte cap enforced as it arrives), and only then is the data set locked and the database used, so a slow
     * client delays nobody else's work on the data set. An instance takes {@code dataset.upload.max-concurrent}
     * uploads at once; one more is answered 429 {@code too-many-uploads} with Retry-After. The first upload
     * creates the data set, owned by the caller's team ({@code ?team=} names it when the caller acts for several).
     */
    @POST
    @Path("{name}/versions")
    @Consumes(MediaType.WILDCARD)
    @RolesAllowed(Roles.CONTRIBUTOR)
    public Response upload(@PathParam("name") String name,
                           @QueryParam("team") String team,
                           @QueryParam("mode") @DefaultValue("append") String mode,
                           @QueryParam("format") String format,
                           @QueryParam("textColumn") @DefaultValue("text") String textColumn,
                           @QueryParam("labelColumn") @DefaultValue("label") String labelColumn,
                           @QueryParam("sourceIdColumn") String sourceIdColumn,
                           @QueryParam("delimiter") @DefaultValue(",") String delimiter,
                           @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                           InputStream body) {
        String owner = writableOrNewTeam(name, team);
        VersionBuilder.Mode versionMode = switch (mode.toLowerCase(Locale.ROOT)) {
            case "append" -> VersionBuilder.Mode.APPEND;
            case "replace" -> VersionBuilder.Mode.REPLACE;
            default -> throw FatalProblem.of(400, "invalid-parameter", "Invalid parameter", null,
                    "mode must be append or replace, got '" + mode + "'");
        };
        char separator = switch (delimiter) {
            case ",", ";", "|" -> delimiter.charAt(0);
            case "\\t", "\t", "tab" -> '\t';
            default -> throw FatalProblem.of(400, "invalid-parameter", "Invalid parameter", null,
                    "delimiter must be one of , ; | tab, got '" + delimiter + "'");
        };
        UploadFormat uploadFormat = UploadFormat.resolve(contentType, format);
        if (!gate.tryEnter()) {
            throw Problems.tooManyUploads(gate.max()).retryAfter(UPLOAD_RETRY_AFTER_SECONDS);
        }
        try (SpooledUpload upload = preparer.spool(body)) {
            return outcome(preparer.fromUpload(name, owner, versionMode, uploadFormat,
                    new CsvRowSource.Columns(textColumn, labelColumn, sourceIdColumn), separator, upload));
        } finally {
            gate.release();
        }
    }

    /** Cuts a version from the data set's pending {@code labels.ingest} records now. */
    @POST
    @Path("{name}/prepare")
    @RolesAllowed(Roles.CONTRIBUTOR)
    public Response prepare(@PathParam("name") String name) {
        Dataset d = dataset(name);
        caller.checkWrite(d.team, "data set " + name);
        VersionPreparer.Outcome outcome = preparer.fromPending(name);
        if (!outcome.created() && outcome.report() == null) {
            throw FatalProblem.of(409, "nothing-pending", "Nothing to prepare", null, outcome.message());
        }
        return outcome(outcome);
    }

    private Response outcome(VersionPreparer.Outcome outcome) {
        Views.VersionView view = Views.version(outcome.version(), outcome.created(), outcome.message(),
                outcome.report());
        if (!outcome.created()) {
            return Response.ok(view).build();
        }
        return Response.created(URI.create(view.links().get("self"))).entity(view).build();
    }

    /**
     * Sets the data set's own trigger (N, M, T); a missing field falls back to the service default. Creates the
     * data set when it does not exist yet, owned by the caller's team ({@code ?team=} names it), so that records
     * on labels.ingest can join it.
     */
    @PUT
    @Path("{name}/trigger")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.CONTRIBUTOR)
    public Views.DatasetView setTrigger(@PathParam("name") String name, @QueryParam("team") String team,
                                        Views.TriggerView settings) {
        String owner = writableOrNewTeam(name, team);
        Long seconds = null;
        if (settings.partialAfter() != null) {
            try {
                seconds = Duration.parse(settings.partialAfter()).toSeconds();
            } catch (DateTimeParseException e) {
                throw FatalProblem.of(400, "invalid-parameter", "Invalid parameter", null,
                        "partialAfter must be an ISO-8601 duration such as PT10M, got '" + settings.partialAfter() + "'");
            }
        }
        Long partialAfterSeconds = seconds;
        try {
            new TriggerSettings(settings.newExamples() == null ? 1 : settings.newExamples(),
                    settings.partialExamples() == null ? 1 : settings.partialExamples(),
                    Duration.ofSeconds(partialAfterSeconds == null ? 0 : partialAfterSeconds));
        } catch (IllegalArgumentException e) {
            throw FatalProblem.of(400, "invalid-parameter", "Invalid parameter", null, e.getMessage());
        }
        Dataset saved = QuarkusTransaction.requiringNew().call(() -> {
            Dataset d = Dataset.findById(name);
            if (d == null) {
                d = new Dataset();
                d.name = name;
                d.team = owner;
                d.persist();
            }
            d.triggerNewExamples = settings.newExamples();
            d.triggerPartialExamples = settings.partialExamples();
            d.triggerPartialAfterSeconds = partialAfterSeconds;
            d.retryAtPending = null;
            return d;
        });
        return view(dataset(saved.name));
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("{name}/versions")
    public List<Views.VersionSummary> versions(@PathParam("name") String name) {
        dataset(name);
        return QuarkusTransaction.requiringNew().call(() ->
                DatasetVersion.allOf(name).stream().map(Views::summary).toList());
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("{name}/versions/{version}")
    public Views.VersionView version(@PathParam("name") String name, @PathParam("version") int version) {
        return Views.version(row(name, version), null, null, null);
    }

    /** The validation report of a version: rejected rows by reason, samples, label changes and shift. */
    @GET
    @RolesAllowed(Roles.READER)
    @Path("{name}/versions/{version}/report")
    public Object report(@PathParam("name") String name, @PathParam("version") int version) {
        return VersionMapper.manifest(row(name, version)).validation();
    }

    /** Streams a split's gzipped JSON Lines from the artifact store. */
    @GET
    @RolesAllowed(Roles.READER)
    @Path("{name}/versions/{version}/splits/{split}")
    @Produces({GZIP, MediaType.APPLICATION_JSON})
    public Response split(@PathParam("name") String name, @PathParam("version") int version,
                          @PathParam("split") String split) {
        Manifest manifest = VersionMapper.manifest(row(name, version));
        Manifest.StoredFile file;
        try {
            file = manifest.splits().get(Split.of(split).code());
        } catch (IllegalArgumentException e) {
            throw Problems.splitNotFound(split);
        }
        return download(file, name + "-v" + version + "-" + split + ".jsonl.gz");
    }

    /** Streams the quarantined rows (gzipped JSON Lines: line or offset, reason, detail, text, label). */
    @GET
    @RolesAllowed(Roles.READER)
    @Path("{name}/versions/{version}/quarantine")
    @Produces({GZIP, MediaType.APPLICATION_JSON})
    public Response quarantine(@PathParam("name") String name, @PathParam("version") int version) {
        Manifest manifest = VersionMapper.manifest(row(name, version));
        return download(manifest.quarantine(), name + "-v" + version + "-quarantine.jsonl.gz");
    }

    private Response download(Manifest.StoredFile file, String filename) {
        ObjectUri uri = ObjectUri.parse(file.uri());
        StreamingOutput body = out -> store.copyTo(uri, out);
        return Response.ok(body, GZIP)
                .header("Content-Disposition", "attachment; filename=\"" + filename + "\"")
                .header("Content-Length", file.bytes())
                .header("X-Checksum-Sha256", file.sha256())
                .build();
    }

    /**
     * Deletes a data set with its versions, pending records, outbox events and objects; refused with 409 while
     * a promoted model version was trained on it.
     */
    @DELETE
    @Path("{name}")
    @RolesAllowed(Roles.APPROVER)
    public Response delete(@PathParam("name") String name) {
        VersionPreparer.checkName(name);
        try (DatasetLock.Held held = lock.acquire(name, config.build().lockTimeout())) {
            caller.checkWrite(dataset(name).team, "data set " + name);
            List<String> models = references.referencing(name);
            if (!models.isEmpty()) {
                throw new FatalProblem(409, "dataset-referenced", "The data set is in use", null, "dataset-referenced",
                        "data set " + name + " trained model versions " + models + "; it cannot be deleted",
                        Map.of("models", models));
            }
            QuarkusTransaction.requiringNew().run(() -> {
                // Versions and pending records go with the data set row (ON DELETE CASCADE); the outbox rows
                // announcing its versions are keyed by name only and stayed behind, payloads and all. An event
                // not sent yet goes too: it would announce a version that no longer exists.
                OutboxEvent.delete("recordKey", name);
                Dataset.deleteById(name);
            });
            int deleted = 0;
            for (String key : store.list(ArtifactLayout.datasetPrefix(name))) {
                store.delete(store.uri(key));
                deleted++;
            }
            LOG.infof("data set %s deleted with %d objects", name, deleted);
        }
        return Response.noContent().build();
    }

    /** The data set, if the caller may read its team's; else 404 as if it did not exist. */
    private Dataset dataset(String name) {
        VersionPreparer.checkName(name);
        Dataset d = QuarkusTransaction.requiringNew().call(() -> Dataset.<Dataset>findById(name));
        if (d == null || !caller.canRead(d.team)) {
            throw Problems.datasetNotFound(name);
        }
        return d;
    }

    /**
     * The team of a data set the caller is about to write: an existing one must be its team's (another team's
     * it cannot read answers 404, one it can only read 403); a new one will be owned by {@code requested}, or
     * the caller's only team.
     */
    private String writableOrNewTeam(String name, String requested) {
        VersionPreparer.checkName(name);
        Dataset existing = QuarkusTransaction.requiringNew().call(() -> Dataset.<Dataset>findById(name));
        if (existing == null) {
            return caller.owningTeam(requested);
        }
        if (!caller.canRead(existing.team)) {
            throw Problems.datasetNotFound(name);
        }
        caller.checkWrite(existing.team, "data set " + name);
        return existing.team;
    }

    private DatasetVersion row(String name, int version) {
        dataset(name);
        return QuarkusTransaction.requiringNew().call(() -> DatasetVersion.of(name, version))
                .orElseThrow(() -> Problems.versionNotFound(name, version));
    }

    private Views.DatasetView view(Dataset d) {
        List<DatasetVersion> versions = QuarkusTransaction.requiringNew().call(() -> DatasetVersion.allOf(d.name));
        TriggerSettings effective = trigger.settingsOf(d);
        Integer latest = versions.isEmpty() ? null : versions.get(versions.size() - 1).version;
        return new Views.DatasetView(d.name, d.team, d.createdAt, latest, versions.size(), pending.countAll(d.name),
                new Views.TriggerView(effective.newExamples(), effective.partialExamples(),
                        effective.partialAfter().toString()),
                d.lastFailure, references.referencing(d.name),
                Map.of("versions", "/datasets/" + d.name + "/versions", "prepare", "/datasets/" + d.name + "/prepare"));
    }
}

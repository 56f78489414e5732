package dev.finetune.dataset.preparation;

import dev.finetune.dataset.config.DatasetConfig;
import dev.finetune.dataset.domain.Dataset;
import dev.finetune.dataset.domain.DatasetLock;
import dev.finetune.dataset.domain.DatasetVersion;
import dev.finetune.dataset.domain.PendingExamples;
import dev.finetune.dataset.ingest.CsvRowSource;
import dev.finetune.dataset.ingest.RowSource;
import dev.finetune.dataset.ingest.SpooledUpload;
import dev.finetune.dataset.ingest.UploadFormat;
import dev.finetune.dataset.ingest.UploadLimits;
import dev.finetune.dataset.split.Split;
import dev.finetune.dataset.validation.FatalProblem;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Topics;
import dev.finetune.events.kafka.TraceContext;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.storage.StoredObject;
import dev.finetune.support.outbox.Outbox;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Makes a new version of a data set from a spooled upload or from its pending {@code labels.ingest} records:
 * under the data set's lock, builds it on local disk, stores the objects, then commits the version row and its
 * {@code datasets.prepared} event in one transaction (the outbox sends the event once it commits). When anything
 * fails before the commit, the objects written so far are deleted: nothing is left behind.
 */
@ApplicationScoped
public class VersionPreparer {

    /** Data set names end up in S3 keys, Kafka keys and URLs: keep them plain. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    private static final Logger LOG = Logger.getLogger(VersionPreparer.class);

    private final DatasetConfig config;
    private final ArtifactStore store;
    private final DatasetLock lock;
    private final PendingExamples pending;
    private final Outbox outbox;
    private final EntityManager entityManager;
    private final Tracer tracer;

    public VersionPreparer(DatasetConfig config, ArtifactStore store, DatasetLock lock, PendingExamples pending,
                           Outbox outbox, EntityManager entityManager, Tracer tracer) {
        this.config = config;
        this.store = store;
        this.lock = lock;
        this.pending = pending;
        this.outbox = outbox;
        this.entityManager = entityManager;
        this.tracer = tracer;
    }

    /** What came of a request for a version. */
    public record Outcome(boolean created, DatasetVersion version, ValidationReport report, String message) {
    }

    public static void checkName(String dataset) {
        if (dataset == null || !NAME.matcher(dataset).matches()) {
            throw FatalProblem.of(400, "invalid-name", "Invalid data set name", null, "data set name '" + dataset
                    + "' must match " + NAME.pattern());
        }
    }

    /**
     * Reads an upload's body onto local disk, its byte cap enforced as it arrives. Call it before
     * {@link #fromUpload}: the body comes at the client's pace, and nothing (no lock, no connection) is held
     * for the data set meanwhile.
     */
    public SpooledUpload spool(InputStream body) {
        return SpooledUpload.of(body, limits(), tempDir());
    }

    /**
     * A version from a spooled upload, read once, row by row, under the data set's lock. {@code team} owns the
     * data set if this upload creates it; an existing data set keeps its team.
     */
    public Outcome fromUpload(String dataset, String team, VersionBuilder.Mode mode, UploadFormat format,
                              CsvRowSource.Columns columns, char delimiter, SpooledUpload upload) {
        checkName(dataset);
        try (DatasetLock.Held held = lock.acquire(dataset, config.build().lockTimeout())) {
            return prepare(dataset, team, mode, "upload",
                    () -> limits().rows(format.rows(upload.open(), columns, delimiter,
                            config.validation().maxLineBytes())),
                    (previous, rows) -> new Manifest.Lineage(previous, previous == null ? null
                            : store.uri(ArtifactLayout.manifest(dataset, previous)).toString(),
                            new Manifest.Upload(format.code(), upload.gzip(), upload.bodySha256(), upload.bodyBytes(),
                                    rows.rowsRead()), null), null);
        }
    }

    /**
     * A version from everything pending for the data set; {@code created=false} when nothing is pending. It
     * continues the trace of the newest record it takes, whether that record, the timer or a request cut it.
     */
    public Outcome fromPending(String dataset) {
        checkName(dataset);
        try (DatasetLock.Held held = lock.acquire(dataset, config.build().lockTimeout())) {
            Optional<Long> maxId = pending.newestId(dataset);
            if (maxId.isEmpty()) {
                return new Outcome(false, QuarkusTransaction.requiringNew().call(() -> DatasetVersion.latest(dataset))
                        .orElse(null), null, "nothing is pending for data set " + dataset);
            }
            PendingRowSource[] source = new PendingRowSource[1];
            try (Scope trace = TraceContext.resume(tracer, pending.traceparent(maxId.get()), "prepare version")) {
                return prepare(dataset, null, VersionBuilder.Mode.APPEND, Topics.LABELS_INGEST,
                        () -> source[0] = new PendingRowSource(pending, dataset, maxId.get()),
                        (previous, rows) -> new Manifest.Lineage(previous, previous == null ? null
                                : store.uri(ArtifactLayout.manifest(dataset, previous)).toString(), null, source[0].lineage()),
                        maxId.get());
            } catch (FatalProblem problem) {
                recordFailure(dataset, problem);
                throw problem;
            }
        }
    }

    private interface RowsFactory {
        RowSource open();
    }

    private interface LineageFactory {
        Manifest.Lineage lineage(Integer previousVersion, RowSource rows);
    }

    private Outcome prepare(String dataset, String team, VersionBuilder.Mode mode, String source, RowsFactory rowsFactory,
                            LineageFactory lineageFactory, Long pendingMaxId) {
        Optional<DatasetVersion> latest = QuarkusTransaction.requiringNew().call(() -> DatasetVersion.latest(dataset));
        Manifest previousManifest = latest.map(VersionMapper::manifest).orElse(null);
        PreviousVersion previous = previousManifest == null ? null : new StoredPreviousVersion(store, previousManifest);
        try (RowSource rows = rowsFactory.open();
             PreparedVersion built = new VersionBuilder(settings()).build(previous, mode, rows)) {
            if (built.identicalToPrevious()) {
                if (pendingMaxId != null) {
                    QuarkusTransaction.requiringNew().run(() -> consumePending(dataset, pendingMaxId));
                }
                LOG.infof("data set %s: content identical to version %d, no new version (%d rows read)", dataset,
                        previous.version(), rows.rowsRead());
                return new Outcome(false, latest.get(), built.report(),
                        "the content is identical to version " + previous.version() + "; no new version was made");
            }
            int version = latest.map(v -> v.version + 1).orElse(1);
            Manifest.Lineage lineage = lineageFactory.lineage(previous == null ? null : previous.version(), rows);
            DatasetVersion row = store(dataset, team, version, mode, source, built, lineage, pendingMaxId);
            LOG.infof("data set %s: version %d prepared from %s (%d examples, %d new, %d rejected)", dataset, version,
                    source, built.statistics().examples(), built.statistics().newExamples(), built.report().rejected());
            return new Outcome(true, row, built.report(), "version " + version + " created");
        }
    }

    /** Stores the objects, then commits; deletes the objects when the commit does not happen. */
    private DatasetVersion store(String dataset, String team, int version, VersionBuilder.Mode mode, String source,
                                 PreparedVersion built, Manifest.Lineage lineage, Long pendingMaxId) {
        List<ObjectUri> written = new ArrayList<>();
        try {
            Map<String, Manifest.StoredFile> splits = new LinkedHashMap<>();
            for (Split split : Split.values()) {
                splits.put(split.code(), put(ArtifactLayout.split(dataset, version, split), built.splits().get(split),
                        written));
            }
            Manifest.StoredFile quarantine = put(ArtifactLayout.quarantine(dataset, version), built.quarantine(), written);
            Manifest manifest = new Manifest(dataset, version, Instant.now().truncatedTo(ChronoUnit.MILLIS), source,
                    mode.name().toLowerCase(Locale.ROOT), built.contentSha256(), splits, quarantine, built.labels(),
                    built.statistics(), built.report(), lineage);
            StoredObject manifestObject = store.put(ArtifactLayout.manifest(dataset, version),
                    EventCodec.encode(manifest).getBytes(StandardCharsets.UTF_8), "application/json");
            written.add(manifestObject.uri());
            return QuarkusTransaction.requiringNew().call(() -> commit(manifest, team, manifestObject.uri().toString(),
                    pendingMaxId));
        } catch (RuntimeException e) {
            for (ObjectUri uri : written) {
                try {
                    store.delete(uri);
                } catch (RuntimeException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    private Manifest.StoredFile put(String key, PreparedVersion.LocalFile file, List<ObjectUri> written) {
        StoredObject stored;
        try (InputStream in = Files.newInputStream(file.path())) {
            stored = store.put(key, in, "application/gzip");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.path(), e);
        }
        written.add(stored.uri());
        if (!stored.sha256().equals(file.sha256())) {
            throw new IllegalStateException("stored " + stored.uri() + " has sha256 " + stored.sha256()
                    + " but the built file has " + file.sha256());
        }
        return new Manifest.StoredFile(stored.uri().toString(), stored.sha256(), stored.size(), file.rows());
    }

    /**
     * Commits the version and its event. An upload may create the data set ({@code team} owns it then); records
     * from labels.ingest only ever join an existing one ({@code team} is null), whose team the event carries.
     */
    private DatasetVersion commit(Manifest manifest, String team, String manifestUri, Long pendingMaxId) {
        if (team != null) {
            entityManager.createNativeQuery("INSERT INTO dataset (name, team) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING")
                    .setParameter(1, manifest.dataset()).setParameter(2, team).executeUpdate();
        }
        Dataset owner = Dataset.findById(manifest.dataset());
        if (owner == null) {
            throw new IllegalStateException("data set " + manifest.dataset() + " does not exist");
        }
        DatasetVersion row = VersionMapper.row(manifest, manifestUri);
        row.persist();
        if (pendingMaxId != null) {
            consumePending(manifest.dataset(), pendingMaxId);
        }
        outbox.record(VersionMapper.event(manifest, owner.team, manifestUri));
        return row;
    }

    private void consumePending(String dataset, long maxId) {
        pending.removeUpTo(dataset, maxId);
        Dataset d = Dataset.findById(dataset);
        if (d != null) {
            d.retryAtPending = null;
            d.lastFailure = null;
        }
    }

    /** A triggered build failed: wait for more records before the trigger tries again. */
    private void recordFailure(String dataset, FatalProblem problem) {
        QuarkusTransaction.requiringNew().run(() -> {
            Dataset d = Dataset.findById(dataset);
            if (d != null) {
                int more = d.triggerPartialExamples != null ? d.triggerPartialExamples
                        : config.trigger().partialExamples();
                d.retryAtPending = (int) Math.min(Integer.MAX_VALUE, pending.countAll(dataset) + Math.max(1, more));
                d.lastFailure = problem.reason() + ": " + problem.detail();
            }
        });
    }

    private UploadLimits limits() {
        return new UploadLimits(config.upload().maxBytes(), config.upload().maxRows());
    }

    private Path tempDir() {
        return Path.of(config.build().tempDir().orElse(System.getProperty("java.io.tmpdir")));
    }

    VersionBuilder.Settings settings() {
        DatasetConfig.Validation v = config.validation();
        return new VersionBuilder.Settings(v.maxTextChars(), v.maxLabelChars(), v.maxLabels(), v.minExamplesPerLabel(),
                v.shiftWarning(), v.reportSamples(), config.build().partitions(), tempDir(), config.split().train(),
                config.split().validation(), config.split().test());
    }
}

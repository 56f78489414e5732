package dev.finetune.training.runner;

import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Lineage;
import dev.finetune.events.PlatformEvent;
import dev.finetune.events.TrainingCompleted;
import dev.finetune.events.TrainingFailed;
import dev.finetune.events.TrainingProgress;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.eval.EvaluationMetrics;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.ml.train.CheckpointReason;
import dev.finetune.ml.train.EpochMetrics;
import dev.finetune.ml.train.FineTuner;
import dev.finetune.ml.train.TrainingConfig;
import dev.finetune.ml.train.TrainingListener;
import dev.finetune.ml.train.TrainingResult;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.storage.StoredObject;
import dev.finetune.training.domain.Hyperparameters;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import dev.finetune.training.messaging.TrainingEventPublisher;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Executes one claimed run on the calling thread: reads its splits, fine-tunes (or resumes from its
 * last resumable checkpoint), stores checkpoints and publishes events, and records the outcome.
 */
final class RunJob implements TrainingListener {

    private static final Logger LOG = Logger.getLogger(RunJob.class);

    private final Run run;
    private final Map<String, DatasetPrepared.SplitRef> splits;
    private final Hyperparameters hyperparameters;
    private final String owner;
    private final RunStore runs;
    private final ArtifactStore store;
    private final BaseModels baseModels;
    private final TrainingEventPublisher events;
    private final TrainingMetrics metrics;
    private final BooleanSupplier shuttingDown;
    private final long claimedAt;
    private final Duration leaseLength;
    private final Duration heartbeatInterval;
    private final Duration progressInterval;

    private long lastProgress;
    private Lease lease;
    private volatile dev.finetune.ml.train.TrainingProgress latest;
    /** Steps the non-finite guard skipped so far (the run's total, across resumes); read by the heartbeat. */
    private volatile long skippedSteps;
    /** The skipped steps the last progress event reported: a new one is published without waiting for the interval. */
    private long reportedSkippedSteps;
    private Stored best;
    private String lastResumableUri;
    private long lastResumableStep;
    private EpochMetrics lastEvaluation;

    /** Metrics as stored in the run's row. */
    static final class MetricMap extends java.util.LinkedHashMap<String, Double> {
    }

    /** A checkpoint in S3 with the step and metrics it was taken at. */
    private record Stored(StoredObject object, long step, int epoch, Map<String, Double> metrics) {
    }

    RunJob(Run run, String owner, RunStore runs, ArtifactStore store, BaseModels baseModels,
            TrainingEventPublisher events, TrainingMetrics metrics,
            BooleanSupplier shuttingDown, long claimedAt, Duration leaseLength, Duration heartbeatInterval,
            Duration progressInterval) {
        this.run = run;
        this.splits = RunStore.splitsOf(run);
        this.hyperparameters = RunStore.read(run.hyperparameters, Hyperparameters.class);
        this.owner = owner;
        this.runs = runs;
        this.store = store;
        this.baseModels = baseModels;
        this.events = events;
        this.metrics = metrics;
        this.shuttingDown = shuttingDown;
        this.claimedAt = claimedAt;
        this.leaseLength = leaseLength;
        this.heartbeatInterval = heartbeatInterval;
        this.progressInterval = progressInterval;
        this.lastResumableUri = run.resumeCheckpointUri;
        if (run.bestCheckpointUri != null) { // a resumed run keeps the best checkpoint of its earlier attempts
            this.best = new Stored(new StoredObject(ObjectUri.parse(run.bestCheckpointUri), run.bestCheckpointSha256, 0),
                    run.bestStep == null ? 0 : run.bestStep, 0,
                    run.bestMetrics == null ? Map.of() : RunStore.read(run.bestMetrics, MetricMap.class));
        }
        this.lastResumableStep = run.resumeStep == null ? 0 : run.resumeStep;
        this.skippedSteps = run.skippedSteps; // an attempt before this one may have counted some
        this.reportedSkippedSteps = run.skippedSteps;
    }

    void execute() {
        // The lease is renewed on its own thread: a long checkpoint upload must not let it expire.
        try (Lease renewed = new Lease(run.id, claimedAt, leaseLength, heartbeatInterval, this::renewLease)) {
            lease = renewed;
            executeRun();
        }
    }

    /** One renewal, carrying the progress that {@code GET /runs/{id}} shows. */
    private RunStore.Heartbeat renewLease() {
        dev.finetune.ml.train.TrainingProgress now = latest;
        return runs.heartbeat(run.id, owner, now == null ? run.step : now.step(),
                now == null ? run.totalSteps : now.totalSteps(), now == null ? null : now.loss(),
                now == null ? null : now.samplesPerSecond(), skippedSteps);
    }

    private void executeRun() {
        try {
            TrainingResult result = train();
            if (!lease.held()) {
                LOG.warnf("run %s: stopped at step %d without its lease; nothing more written", run.id, result.steps());
            } else if (!result.stopped()) {
                complete(result);
            } else if (lease.cancelRequested()) {
                runs.finish(run.id, owner, RunStatus.CANCELLED, null);
                supersede(lastResumableUri, lastResumableStep);
                LOG.infof("run %s cancelled at step %d correlationId=%s", run.id, result.steps(), run.correlationId);
            } else {
                runs.release(run.id, owner);
                LOG.infof("run %s released at step %d for another instance to resume", run.id, result.steps());
            }
        } catch (RuntimeException | Error e) {
            fail(e);
        }
    }

    private TrainingResult train() {
        String datasetVersion = run.dataset + "@v" + run.datasetVersion;
        TrainingConfig config = hyperparameters.toTrainingConfig(datasetVersion);
        List<Example> train = read("train");
        List<Example> validation = run.validationUri == null ? List.of() : read("validation");
        if (run.resumeCheckpointUri != null) {
            LOG.infof("run %s resumes from %s (step %d) correlationId=%s", run.id, run.resumeCheckpointUri,
                    run.resumeStep, run.correlationId);
            ModelPackage resumable = Retry.storage("reading " + run.resumeCheckpointUri, () -> load(run.resumeCheckpointUri));
            return FineTuner.resume(resumable, train, validation, this);
        }
        LOG.infof("run %s starts: %s v%d, %d train / %d validation examples, %s correlationId=%s", run.id,
                run.dataset, run.datasetVersion, train.size(), validation.size(), run.hyperparameters, run.correlationId);
        return FineTuner.train(baseModels.byName(hyperparameters.baseModel()), config, train, validation, this);
    }

    /** A split of the run's data set version, verified against the sha256 its lineage will name. */
    private List<Example> read(String name) {
        DatasetPrepared.SplitRef split = splits.get(name);
        if (split == null) { // a run queued before the splits were kept with it
            throw new IllegalStateException("run " + run.id + " knows no sha256 of its " + name + " split (queued "
                    + "before training-service kept the splits of datasets.prepared with its runs): not trained on "
                    + "unverified data");
        }
        return Retry.storage("reading " + split.uri(), () -> SplitReader.read(store, name, split));
    }

    private ModelPackage load(String uri) {
        try (InputStream in = store.open(ObjectUri.parse(uri))) {
            return ModelPackage.readFrom(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + uri + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void onStep(dev.finetune.ml.train.TrainingProgress progress) {
        if (!lease.held()) {
            return; // another instance may own the run: its progress is the one to report
        }
        long now = System.nanoTime();
        latest = progress;
        skippedSteps = progress.skippedSteps();
        metrics.stepped(run.id, progress);
        if (now - lastProgress >= progressInterval.toNanos() || progress.step() == 1
                || progress.skippedSteps() != reportedSkippedSteps) {
            lastProgress = now;
            reportedSkippedSteps = progress.skippedSteps();
            Double eta = progress.samplesPerSecond() > 0
                    ? (progress.totalSteps() - progress.step()) * batchSize() / progress.samplesPerSecond()
                    : null;
            TrainingProgress event = new TrainingProgress(EventMeta.next(TrainingEventPublisher.PRODUCER,
                    run.correlationId), run.id.toString(), run.modelName, (int) progress.step(),
                    (int) progress.totalSteps(), progress.epoch(), progress.loss(), progress.learningRate(),
                    progress.samplesPerSecond(), eta, progress.skippedSteps());
            events.progress(event);
        }
    }

    /**
     * A step the non-finite guard skipped: counted on the run at once (its heartbeat), and the next progress
     * event goes out without waiting for the interval. Its loss is NaN, so it is not the run's latest progress.
     */
    @Override
    public void onSkippedStep(dev.finetune.ml.train.TrainingProgress progress) {
        if (!lease.held()) {
            return;
        }
        skippedSteps = progress.skippedSteps();
        metrics.skippedStep();
        LOG.warnf("run %s: step %d of %d skipped by the non-finite guard (loss or gradient not finite), %d skipped so far",
                run.id, progress.step(), progress.totalSteps(), progress.skippedSteps());
    }

    private int batchSize() {
        Integer batch = hyperparameters.batchSize();
        return batch == null ? 1 : batch;
    }

    @Override
    public void onEvaluation(EpochMetrics evaluation) {
        lastEvaluation = evaluation;
        if (!lease.held()) {
            return;
        }
        if (!runs.recordEvaluation(run.id, owner, evaluation.step(), evaluation.epoch(), evaluation.trainLoss(),
                summary(evaluation.validation()))) {
            lease.lost(); // found before the next heartbeat: stop after this step
        }
    }

    @Override
    public void onCheckpoint(CheckpointReason reason, ModelPackage checkpoint) {
        if (!lease.held()) {
            return; // another instance may own the run now: its checkpoints are the ones that count
        }
        long step = checkpoint.metadata().step();
        boolean resumable = reason != CheckpointReason.VALIDATION_IMPROVED;
        String key = "models/" + run.id + "/ckpt-" + step + "/" + (resumable ? "resumable.zip" : "model.zip");
        StoredObject stored = Retry.storage("storing checkpoint " + key,
                () -> CheckpointWriter.store(store, key, checkpoint));
        if (!lease.held()) { // lost during the upload: the object stays, its key may be the new owner's too
            LOG.warnf("run %s: lease not held after storing %s; checkpoint not recorded", run.id, stored.uri());
            return;
        }
        Map<String, Double> validationMetrics = camelCase(checkpoint.metadata().metrics());
        Stored entry = new Stored(stored, step, checkpoint.metadata().epoch(), validationMetrics);
        // The best so far and each epoch's end are announced as they are recorded, neither as a candidate:
        // the run's one candidate is announced when it has completed.
        boolean announced = reason == CheckpointReason.VALIDATION_IMPROVED || reason == CheckpointReason.EPOCH_END;
        if (!runs.recordCheckpoint(run.id, owner, reason.name(), step, stored.uri().toString(), stored.sha256(),
                stored.size(), validationMetrics, resumable, announced ? checkpointSaved(entry, false, false) : null)) {
            lease.lost(); // found before the next heartbeat: stop after this step
            LOG.warnf("run %s: taken over by another instance; checkpoint at step %d not recorded", run.id, step);
            return;
        }
        if (reason == CheckpointReason.VALIDATION_IMPROVED) {
            best = entry;
            runs.recordBest(run.id, stored.uri().toString(), stored.sha256(), step, validationMetrics);
        }
        if (resumable && lease.held()) { // a run another instance may own now keeps every object it may resume from
            supersede(lastResumableUri, lastResumableStep);
            lastResumableUri = stored.uri().toString();
            lastResumableStep = step;
        }
        LOG.infof("run %s checkpoint %s at step %d: %s (%d bytes)", run.id, reason, step, stored.uri(), stored.size());
    }

    /**
     * A resumable checkpoint carries the optimizer's moments (three times the model's size); only the
     * latest is needed to resume, so the one before it is deleted once the new one is safely stored.
     */
    private void supersede(String uri, long step) {
        if (uri == null) {
            return;
        }
        try {
            store.delete(ObjectUri.parse(uri));
            runs.forgetCheckpoint(run.id, step, uri);
        } catch (RuntimeException e) {
            LOG.warnf("run %s: superseded checkpoint %s not deleted: %s", run.id, uri, e.getMessage());
        }
    }

    @Override
    public boolean stopRequested() {
        return !lease.held() || lease.cancelRequested() || shuttingDown.getAsBoolean();
    }

    private void complete(TrainingResult result) {
        ModelPackage finalPackage = result.finalPackage().withoutTrainingState();
        long finalStep = finalPackage.metadata().step();
        if (!lease.held()) {
            LOG.warnf("run %s: trained to step %d, but its lease is not held; nothing stored or announced", run.id, finalStep);
            return;
        }
        Stored finalStored = best != null && best.step() == finalStep ? best
                : new Stored(Retry.storage("storing the final checkpoint", () -> CheckpointWriter.store(store,
                        "models/" + run.id + "/ckpt-" + finalStep + "/model.zip", finalPackage)),
                        finalStep, finalPackage.metadata().epoch(), camelCase(finalPackage.metadata().metrics()));
        if (finalStored != best) {
            runs.recordCheckpoint(run.id, owner, "FINAL", finalStep, finalStored.object().uri().toString(),
                    finalStored.object().sha256(), finalStored.object().size(), finalStored.metrics(), false, null);
        }
        Stored chosen = best != null ? best : finalStored;
        // One candidate per run, announced once the run is over: every improvement offered mid-run would
        // give one data set version several model versions and decisions.
        List<PlatformEvent> announcements = new ArrayList<>();
        announcements.add(checkpointSaved(finalStored, finalStored == chosen, true));
        if (chosen != finalStored) {
            announcements.add(checkpointSaved(chosen, true, false));
        }
        if (best == null) {
            runs.recordBest(run.id, chosen.object().uri().toString(), chosen.object().sha256(), chosen.step(), chosen.metrics());
        }
        Map<String, Double> summary = new LinkedHashMap<>(chosen.metrics());
        if (lastEvaluation != null) {
            summary.put("trainLoss", lastEvaluation.trainLoss());
        }
        summary.put("samplesPerSecond", result.samplesPerSecond());
        announcements.add(new TrainingCompleted(EventMeta.next(TrainingEventPublisher.PRODUCER, run.correlationId),
                run.modelName, lineage(chosen), summary, (int) result.steps(), result.trainSeconds()));
        lease.renew(); // records the final step before the run leaves the running state
        if (!lease.held()) {
            LOG.warnf("run %s: lease not held at its end; nothing announced (the run is taken over)", run.id);
            return;
        }
        if (!runs.finish(run.id, owner, RunStatus.SUCCEEDED, null, announcements)) {
            LOG.warnf("run %s: lease lost to another instance at its end; nothing announced", run.id);
            return;
        }
        supersede(lastResumableUri, lastResumableStep); // nothing will resume an ended run
        LOG.infof("run %s succeeded: %d steps, best %s correlationId=%s", run.id, result.steps(),
                chosen.object().uri(), run.correlationId);
    }

    private CheckpointSaved checkpointSaved(Stored stored, boolean isBest, boolean isLast) {
        return new CheckpointSaved(EventMeta.next(TrainingEventPublisher.PRODUCER, run.correlationId),
                run.modelName, lineage(stored), stored.epoch(), stored.metrics(), isBest, isLast);
    }

    private Lineage lineage(Stored stored) {
        return new Lineage(run.dataset, run.team, run.datasetVersion, run.manifestUri, run.id.toString(),
                stored.object().uri().toString(), stored.object().sha256(), (int) stored.step(), splits);
    }

    private void fail(Throwable e) {
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (lease == null || !lease.confirm()) {
            // Failing the run needs the lease: a job whose database went away must not end a run that another
            // instance may hold by now. The run is taken over once its lease has run out, its attempt counted.
            LOG.warnf(e, "run %s: stopped by an error while its lease is not known to be held; not ended here", run.id);
            return;
        }
        LOG.errorf(e, "run %s failed correlationId=%s", run.id, run.correlationId);
        TrainingFailed failed = new TrainingFailed(EventMeta.next(TrainingEventPublisher.PRODUCER, run.correlationId),
                run.id.toString(), run.modelName, run.dataset, run.datasetVersion, reason);
        try {
            if (runs.finish(run.id, owner, RunStatus.FAILED, reason, List.of(failed))) {
                metrics.failed();
            }
        } catch (RuntimeException notEnded) { // the database went away just now: the lease runs out, as above
            LOG.warnf("run %s: its failure could not be recorded (%s); it is taken over once its lease has run out",
                    run.id, notEnded.getMessage());
        }
    }

    static Map<String, Double> summary(EvaluationMetrics metrics) {
        if (metrics == null) {
            return Map.of();
        }
        Map<String, Double> summary = new LinkedHashMap<>();
        summary.put("accuracy", metrics.accuracy());
        summary.put("macroF1", metrics.macroF1());
        summary.put("logLoss", metrics.logLoss());
        summary.put("ece", metrics.expectedCalibrationError());
        return summary;
    }

    /**
     * Metric names as the events spell them everywhere ({@code macroF1}, {@code logLoss}): the model
     * library's packages use {@code macro_f1}, and downstream consumers should not need to know.
     */
    static Map<String, Double> camelCase(Map<String, Double> metrics) {
        Map<String, Double> renamed = new LinkedHashMap<>();
        metrics.forEach((name, value) -> {
            StringBuilder camel = new StringBuilder();
            boolean upper = false;
            for (char c : name.toCharArray()) {
                if (c == '_') {
                    upper = true;
                } else {
                    camel.append(upper ? Character.toUpperCase(c) : c);
                    upper = false;
                }
            }
            renamed.put(camel.toString(), value);
        });
        return renamed;
    }

}

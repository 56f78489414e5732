package dev.finetune.evaluation.scoring;

import dev.finetune.evaluation.config.EvaluationSettings;
import dev.finetune.evaluation.domain.Champion;
import dev.finetune.evaluation.domain.ChampionStore;
import dev.finetune.evaluation.domain.Evaluation;
import dev.finetune.evaluation.domain.EvaluationMapper;
import dev.finetune.evaluation.domain.EvaluationStore;
import dev.finetune.evaluation.report.EvaluationReport;
import dev.finetune.evaluation.report.ReportWriter;
import dev.finetune.evaluation.report.Svg;
import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.ml.classifier.Classifier;
import dev.finetune.ml.eval.Evaluator;
import dev.finetune.ml.eval.LatencyMetrics;
import dev.finetune.support.retry.TransientFaults;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Scores one candidate checkpoint: reads and verifies the test split, downloads and verifies the package, computes
 * metrics, slices and speed, compares with the champion on the same examples, writes the report and its pictures
 * to S3 and stores the row. Any problem with the inputs becomes a FAILED evaluation with the reason, never an
 * exception the consumer would dead-letter. A transient fault (the artifact store or the database away while
 * reading the split, downloading a package or writing the report) is thrown instead, so the consumer retries
 * the whole evaluation: an outage never leaves a FAILED evaluation behind.
 */
@ApplicationScoped
public class CheckpointEvaluator {

    private static final Logger LOG = Logger.getLogger(CheckpointEvaluator.class);

    private final TestSplitReader splits;
    private final PackageLoader packages;
    private final ChampionStore champions;
    private final ChampionScorer championScorer;
    private final ReportWriter reports;
    private final EvaluationStore evaluations;
    private final EvaluationSettings settings;

    public CheckpointEvaluator(TestSplitReader splits, PackageLoader packages, ChampionStore champions,
                               ChampionScorer championScorer, ReportWriter reports, EvaluationStore evaluations,
                               EvaluationSettings settings) {
        this.splits = splits;
        this.packages = packages;
        this.champions = champions;
        this.championScorer = championScorer;
        this.reports = reports;
        this.evaluations = evaluations;
        this.settings = settings;
    }

    /**
     * The stored evaluation of the event's checkpoint on its test split: an existing successful one (scored once),
     * or a new row, succeeded or failed, stored with its event. Only transient faults throw ({@link TransientFaults}).
     */
    public Outcome evaluate(CheckpointSaved event) {
        return evaluate(event, null);
    }

    /** As {@link #evaluate(CheckpointSaved)}; a new row names {@code retryOf}, the failed evaluation it retries. */
    public Outcome evaluate(CheckpointSaved event, String retryOf) {
        Evaluation evaluation = EvaluationMapper.started(event);
        evaluation.retryOf = retryOf;
        long started = System.nanoTime();
        try {
            TestSplit split = splits.read(event.lineage());
            evaluation.testSplitUri = split.uri();
            evaluation.testSplitSha256 = split.sha256();
            evaluation.testExamples = split.examples().size();
            Optional<Evaluation> done = evaluations.findSucceeded(evaluation.checkpointSha256, split.sha256());
            if (done.isPresent()) {
                return new Outcome(done.get(), false);
            }
            score(event, split, evaluation);
            LOG.infof("%s: checkpoint %s of run %s scored on %d examples in %.1fs: accuracy %.4f",
                    evaluation.id, evaluation.checkpoint, evaluation.runId, split.examples().size(),
                    (System.nanoTime() - started) / 1e9, EvaluationMapper.metrics(evaluation.metrics).get("accuracy"));
        } catch (RuntimeException e) {
            if (TransientFaults.isTransient(e)) {
                throw e;
            }
            evaluation.status = EvaluationCompleted.Status.FAILED;
            evaluation.reason = reason(e);
            LOG.warnf("%s: checkpoint %s of run %s (model %s) failed: %s", evaluation.id, evaluation.checkpointUri,
                    evaluation.runId, evaluation.modelName, evaluation.reason);
        }
        if (evaluations.insert(evaluation, event)) {
            return new Outcome(evaluation, true);
        }
        return new Outcome(evaluations.findSucceeded(evaluation.checkpointSha256, evaluation.testSplitSha256)
                .orElseThrow(), false);
    }

    /** The evaluation of a checkpoint, and whether this call made it (and so announced it). */
    public record Outcome(Evaluation evaluation, boolean isNew) {
    }

    private void score(CheckpointSaved event, TestSplit split, Evaluation evaluation) {
        ScoreSheet sheet;
        LatencyMetrics latency;
        try (Classifier classifier = packages.classifier("checkpoint",
                evaluation.checkpointUri, evaluation.checkpointSha256)) {
            int[] truth;
            try {
                truth = Evaluator.truth(classifier.labels(), split.examples());
            } catch (IllegalArgumentException e) {
                throw new EvaluationFailure("test split " + split.uri() + " does not fit checkpoint "
                        + evaluation.checkpointUri + ": " + e.getMessage(), e);
            }
            sheet = ScoreSheet.of(classifier.labels(), truth, classifier.probabilities(split.texts()));
            latency = Evaluator.latency(classifier, split.texts(), settings.latency().requests());
        }
        Map<String, Double> metrics = new LinkedHashMap<>(sheet.qualityMetrics());
        metrics.put("latencyP50Ms", latency.p50Millis());
        metrics.put("latencyP95Ms", latency.p95Millis());
        metrics.put("throughputPerSecond", latency.throughputPerSecond());

        PairedComparison comparison = null;
        Optional<Champion> champion = champions.find(event.modelName());
        if (champion.isPresent()) {
            ChampionScorer.Outcome outcome = championScorer.score(champion.get(), split);
            comparison = PairedComparison.of(champion.get().version, champion.get().packageUri,
                    champion.get().packageSha256, sheet.qualityMetrics(), sheet.correct(), outcome.metrics(),
                    outcome.correct(split.examples()), settings.bootstrap().resamples(), settings.bootstrap().seed());
        }

        LengthBuckets buckets = new LengthBuckets(settings.slices().mediumFromChars(), settings.slices().longFromChars());
        ReportWriter.Locations locations = reports.locations(evaluation.runId, evaluation.checkpoint);
        EvaluationReport report = new EvaluationReport(evaluation.id, evaluation.modelName, Instant.now(),
                evaluation.checkpoint, EvaluationMapper.lineage(evaluation),
                new EvaluationReport.TestSplitSummary(split.uri(), split.sha256(), split.examples().size()),
                new EvaluationReport.Candidate(metrics, sheet.labels(), sheet.metrics().confusion(), sheet.calibration(),
                        settings.latency().requests()),
                new EvaluationReport.Slices(buckets, sheet.byLength(split.texts(), buckets), sheet.byLabel()),
                comparison, new EvaluationReport.Pictures(locations.confusionMatrix(), locations.reliabilityDiagram()));
        String title = evaluation.modelName + " " + evaluation.runId + " " + evaluation.checkpoint;
        reports.write(evaluation.runId, evaluation.checkpoint, report,
                Svg.confusionMatrix("Confusion matrix: " + title, sheet.labels(), sheet.metrics().confusion()),
                Svg.reliabilityDiagram("Reliability: " + title, sheet.calibration(),
                        sheet.metrics().expectedCalibrationError()));

        evaluation.status = EvaluationCompleted.Status.SUCCEEDED;
        evaluation.metrics = EvaluationMapper.json(metrics);
        evaluation.perLabelF1 = EvaluationMapper.json(sheet.perLabelF1());
        evaluation.champion = comparison == null ? null : EvaluationMapper.json(comparison.summary());
        evaluation.reportUri = locations.report();
        evaluation.confusionUri = locations.confusionMatrix();
        evaluation.reliabilityUri = locations.reliabilityDiagram();
    }

    /** The failure's own message when it is ours (it names the object); otherwise the type and message, with cause. */
    static String reason(RuntimeException e) {
        if (e instanceof EvaluationFailure) {
            return e.getMessage();
        }
        StringBuilder reason = new StringBuilder(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
        if (e.getCause() != null && e.getCause() != e) {
            reason.append(" (").append(e.getCause().getClass().getSimpleName()).append(": ")
                    .append(e.getCause().getMessage()).append(')');
        }
        return reason.toString();
    }
}

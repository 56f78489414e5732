package dev.finetune.evaluation.report;

import dev.finetune.evaluation.scoring.CalibrationBin;
import dev.finetune.evaluation.scoring.LabelSlice;
import dev.finetune.evaluation.scoring.LengthBuckets;
import dev.finetune.evaluation.scoring.PairedComparison;
import dev.finetune.evaluation.scoring.SliceMetrics;
import dev.finetune.events.Lineage;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The full report of one evaluation, stored as {@code reports/{runId}/{checkpoint}/report.json}. The event
 * carries a summary of it; this is what a person (or the registry, on demand) reads for the detail.
 *
 * @param champion the paired comparison with the production version; null when the model has none yet
 */
public record EvaluationReport(String evaluationId, String modelName, Instant createdAt, String checkpoint,
                               Lineage lineage, TestSplitSummary testSplit, Candidate candidate, Slices slices,
                               PairedComparison champion, Pictures pictures) {

    /** Which examples were scored: the split's URI and the sha256 of its bytes. */
    public record TestSplitSummary(String uri, String sha256, int examples) {
    }

    /**
     * @param metrics accuracy, macroF1, logLoss, ece, latencyP50Ms, latencyP95Ms, throughputPerSecond
     * @param confusion rows: true label, columns: predicted label, in {@code labels} order
     * @param latencyRequests timed single-text predictions behind the latency percentiles
     */
    public record Candidate(Map<String, Double> metrics, List<String> labels, int[][] confusion,
                            List<CalibrationBin> calibration, int latencyRequests) {
    }

    public record Slices(LengthBuckets lengthThresholds, Map<String, SliceMetrics> byLength,
                         Map<String, LabelSlice> byLabel) {
    }

    /** {@code s3://} URIs of the SVG pictures. */
    public record Pictures(String confusionMatrix, String reliabilityDiagram) {
    }
}

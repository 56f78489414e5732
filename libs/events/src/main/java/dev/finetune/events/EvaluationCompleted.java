package dev.finetune.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A candidate checkpoint was scored on its data set version's test split, or could not be.
 * Topic {@link Topics#EVALUATIONS_COMPLETED}, key: model name.
 *
 * @param status {@code SUCCEEDED}, or {@code FAILED} with {@code reason} (package unreadable, sha256 mismatch)
 * @param metrics summary metrics: {@code accuracy}, {@code macroF1}, {@code logLoss}, {@code ece},
 *                {@code latencyP50Ms}, {@code latencyP95Ms}, {@code throughputPerSecond}
 * @param perLabelF1 F1 of each label
 * @param champion the comparison with the production version on the same examples; null for a first model
 * @param reportUri {@code s3://} URI of the full JSON report
 */
public record EvaluationCompleted(
        UUID eventId, Instant occurredAt, int schemaVersion, String producer, String correlationId,
        String evaluationId, Status status, String reason, String modelName, Lineage lineage,
        Map<String, Double> metrics, Map<String, Double> perLabelF1, ChampionComparison champion, String reportUri)
        implements PlatformEvent {

    /** Outcome of scoring. */
    public enum Status { SUCCEEDED, FAILED }

    public EvaluationCompleted {
        EventMeta.check(eventId, occurredAt, schemaVersion, producer, correlationId);
        Require.present(evaluationId, "evaluationId");
        Require.present(status, "status");
        Require.present(modelName, "modelName");
        Require.present(lineage, "lineage");
        if (status == Status.FAILED) {
            Require.present(reason, "reason");
        } else {
            Require.notEmpty(metrics, "metrics");
            Require.present(reportUri, "reportUri");
        }
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        perLabelF1 = perLabelF1 == null ? Map.of() : Map.copyOf(perLabelF1);
    }

    public EvaluationCompleted(EventMeta meta, String evaluationId, Status status, String reason, String modelName,
                               Lineage lineage, Map<String, Double> metrics, Map<String, Double> perLabelF1,
                               ChampionComparison champion, String reportUri) {
        this(meta.eventId(), meta.occurredAt(), meta.schemaVersion(), meta.producer(), meta.correlationId(),
                evaluationId, status, reason, modelName, lineage, metrics, perLabelF1, champion, reportUri);
    }

    @Override
    public String key() {
        return modelName;
    }

    @Override
    public String topic() {
        return Topics.EVALUATIONS_COMPLETED;
    }

    /**
     * The candidate against the current production version, scored on exactly the same examples.
     *
     * @param deltas candidate minus champion, per metric name of {@code metrics}
     * @param accuracyDeltaLow lower end of the 95% bootstrap interval of the accuracy difference
     * @param accuracyDeltaHigh upper end of that interval
     * @param mcnemarPValue exact McNemar test on the paired predictions
     */
    public record ChampionComparison(int championVersion, Map<String, Double> deltas, double accuracyDeltaLow,
                                     double accuracyDeltaHigh, double mcnemarPValue) {
        public ChampionComparison {
            Require.positive(championVersion, "champion.championVersion");
            deltas = deltas == null ? Map.of() : Map.copyOf(deltas);
        }
    }
}

package dev.finetune.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A checkpoint (a self-contained model package) was stored in S3.
 * Topic {@link Topics#TRAINING_CHECKPOINTS}, key: run id.
 *
 * @param validationMetrics metrics on the validation split at this step, e.g. {@code accuracy}, {@code macroF1}
 * @param best this is the run's best checkpoint (by the validation metric), announced once when the run
 *             has completed: a run offers exactly one candidate, so a data set version gets one decision
 * @param last this is the run's final checkpoint
 */
public record CheckpointSaved(
        UUID eventId, Instant occurredAt, int schemaVersion, String producer, String correlationId,
        String modelName, Lineage lineage, int epoch, Map<String, Double> validationMetrics, boolean best,
        boolean last) implements PlatformEvent {

    public CheckpointSaved {
        EventMeta.check(eventId, occurredAt, schemaVersion, producer, correlationId);
        Require.present(modelName, "modelName");
        Require.present(lineage, "lineage");
        validationMetrics = validationMetrics == null ? Map.of() : Map.copyOf(validationMetrics);
    }

    public CheckpointSaved(EventMeta meta, String modelName, Lineage lineage, int epoch,
                           Map<String, Double> validationMetrics, boolean best, boolean last) {
        this(meta.eventId(), meta.occurredAt(), meta.schemaVersion(), meta.producer(), meta.correlationId(),
                modelName, lineage, epoch, validationMetrics, best, last);
    }

    /** Whether evaluation should score it: only the run's best checkpoint is a candidate. */
    public boolean candidate() {
        return best;
    }

    @Override
    public String key() {
        return lineage.runId();
    }

    @Override
    public String topic() {
        return Topics.TRAINING_CHECKPOINTS;
    }
}

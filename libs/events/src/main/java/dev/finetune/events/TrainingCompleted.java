package dev.finetune.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A run finished; {@code best} is the lineage of its best checkpoint.
 * Topic {@link Topics#TRAINING_COMPLETED}, key: run id.
 */
public record TrainingCompleted(
        UUID eventId, Instant occurredAt, int schemaVersion, String producer, String correlationId,
        String modelName, Lineage best, Map<String, Double> metrics, int steps, double trainSeconds)
        implements PlatformEvent {

    public TrainingCompleted {
        EventMeta.check(eventId, occurredAt, schemaVersion, producer, correlationId);
        Require.present(modelName, "modelName");
        Require.present(best, "best");
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }

    public TrainingCompleted(EventMeta meta, String modelName, Lineage best, Map<String, Double> metrics, int steps,
                             double trainSeconds) {
        this(meta.eventId(), meta.occurredAt(), meta.schemaVersion(), meta.producer(), meta.correlationId(),
                modelName, best, metrics, steps, trainSeconds);
    }

    @Override
    public String key() {
        return best.runId();
    }

    @Override
    public String topic() {
        return Topics.TRAINING_COMPLETED;
    }
}

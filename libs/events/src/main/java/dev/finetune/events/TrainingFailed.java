package dev.finetune.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A run failed and will not be retried automatically. Topic {@link Topics#TRAINING_FAILED}, key: run id.
 *
 * @param reason what went wrong, in words a person can act on
 */
public record TrainingFailed(
        UUID eventId, Instant occurredAt, int schemaVersion, String producer, String correlationId,
        String runId, String modelName, String dataset, int datasetVersion, String reason) implements PlatformEvent {

    public TrainingFailed {
        EventMeta.check(eventId, occurredAt, schemaVersion, producer, correlationId);
        Require.present(runId, "runId");
        Require.present(modelName, "modelName");
        Require.present(dataset, "dataset");
        Require.present(reason, "reason");
    }

    public TrainingFailed(EventMeta meta, String runId, String modelName, String dataset, int datasetVersion,
                          String reason) {
        this(meta.eventId(), meta.occurredAt(), meta.schemaVersion(), meta.producer(), meta.correlationId(),
                runId, modelName, dataset, datasetVersion, reason);
    }

    @Override
    public String key() {
        return runId;
    }

    @Override
    public String topic() {
        return Topics.TRAINING_FAILED;
    }
}

package dev.finetune.events;

import java.time.Instant;
import java.util.UUID;

/**
 * Periodic progress of a training run, at most every few seconds.
 * Topic {@link Topics#TRAINING_PROGRESS}, key: run id.
 *
 * @param etaSeconds estimated seconds until the run ends, null while unknown
 */
public record TrainingProgress(
        UUID eventId, Instant occurredAt, int schemaVersion, String producer, String correlationId,
        String runId, String modelName, int step, int totalSteps, int epoch, double loss, double learningRate,
        double samplesPerSecond, Double etaSeconds) implements PlatformEvent {

    public TrainingProgress {
        EventMeta.check(eventId, occurredAt, schemaVersion, producer, correlationId);
        Require.present(runId, "runId");
        Require.present(modelName, "modelName");
    }

    public TrainingProgress(EventMeta meta, String runId, String modelName, int step, int totalSteps, int epoch,
                            double loss, double learningRate, double samplesPerSecond, Double etaSeconds) {
        this(meta.eventId(), meta.occurredAt(), meta.schemaVersion(), meta.producer(), meta.correlationId(),
                runId, modelName, step, totalSteps, epoch, loss, learningRate, samplesPerSecond, etaSeconds);
    }

    @Override
    public String key() {
        return runId;
    }

    @Override
    public String topic() {
        return Topics.TRAINING_PROGRESS;
    }
}

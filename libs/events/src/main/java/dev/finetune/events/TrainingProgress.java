package dev.finetune.events;

import java.time.Instant;
import java.util.UUID;

/**
 * Periodic progress of a training run, at most every few seconds.
 * Topic {@link Topics#TRAINING_PROGRESS}, key: run id.
 *
 * @param etaSeconds estimated seconds until the run ends, null while unknown
 * @param skippedSteps steps of the run so far whose update the non-finite guard skipped (a loss or gradient
 *     that was not finite); 0 in a correct run, null from producers older than the field
 */
public record TrainingProgress(
        UUID eventId, Instant occurredAt, int schemaVersion, String producer, String correlationId,
        String runId, String modelName, int step, int totalSteps, int epoch, double loss, double learningRate,
        double samplesPerSecond, Double etaSeconds, Long skippedSteps) implements PlatformEvent {

    public TrainingProgress {
        EventMeta.check(eventId, occurredAt, schemaVersion, producer, correlationId);
        Require.present(runId, "runId");
        Require.present(modelName, "modelName");
    }

    public TrainingProgress(EventMeta meta, String runId, String modelName, int step, int totalSteps, int epoch,
                            double loss, double learningRate, double samplesPerSecond, Double etaSeconds,
                            Long skippedSteps) {
        this(meta.eventId(), meta.occurredAt(), meta.schemaVersion(), meta.producer(), meta.correlationId(),
                runId, modelName, step, totalSteps, epoch, loss, learningRate, samplesPerSecond, etaSeconds, skippedSteps);
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

package dev.finetune.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A batch prediction has ended, successfully or not: its predictions are in the store ({@code outputUri}), or it
 * failed with a reason and left no output. Topic {@link Topics#BATCH_PREDICTIONS_COMPLETED}, key: model name. The
 * correlation id is the batch prediction's id.
 *
 * @param version   the model version that scored every row (an alias asked for is resolved when the job is created)
 * @param rows      rows scored: every row of the input when it succeeded, 0 when it failed
 * @param outputUri JSON Lines, one prediction per input row in input order; null when it failed
 * @param reason    why it failed, naming the line when a row was at fault; null when it succeeded
 */
public record BatchPredictionCompleted(
        UUID eventId, Instant occurredAt, int schemaVersion, String producer, String correlationId,
        String batchPredictionId, String modelName, int version, String team, Status status, String inputUri,
        String outputUri, long rows, String reason) implements PlatformEvent {

    public enum Status { SUCCEEDED, FAILED }

    public BatchPredictionCompleted {
        EventMeta.check(eventId, occurredAt, schemaVersion, producer, correlationId);
        Require.present(batchPredictionId, "batchPredictionId");
        Require.present(modelName, "modelName");
        Require.positive(version, "version");
        Require.present(team, "team");
        Require.present(status, "status");
        Require.present(inputUri, "inputUri");
        if (status == Status.SUCCEEDED) {
            Require.present(outputUri, "outputUri");
        } else {
            Require.present(reason, "reason");
        }
        if (rows < 0) {
            throw new IllegalArgumentException("field 'rows' must not be negative, was " + rows);
        }
    }

    public BatchPredictionCompleted(EventMeta meta, String batchPredictionId, String modelName, int version,
                                    String team, Status status, String inputUri, String outputUri, long rows,
                                    String reason) {
        this(meta.eventId(), meta.occurredAt(), meta.schemaVersion(), meta.producer(), meta.correlationId(),
                batchPredictionId, modelName, version, team, status, inputUri, outputUri, rows, reason);
    }

    @Override
    public String key() {
        return modelName;
    }

    @Override
    public String topic() {
        return Topics.BATCH_PREDICTIONS_COMPLETED;
    }
}

package dev.finetune.training.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunCheckpoint;
import dev.finetune.training.domain.RunEvaluation;
import java.time.Instant;
import java.util.List;

/** A run as the REST API shows it. */
public record RunView(String id, String dataset, String team, int datasetVersion, String modelName, String status,
        String failureReason, boolean cancelRequested, long step, long totalSteps, Double loss, Double samplesPerSecond,
        long skippedSteps,
        JsonNode hyperparameters, String owner, String executedBy, int attempts, int interruptedAttempts,
        String bestCheckpointUri, JsonNode bestMetrics,
        String correlationId, String retryOf, Instant createdAt, Instant startedAt, Instant finishedAt) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static RunView of(Run r) {
        return new RunView(r.id.toString(), r.dataset, r.team, r.datasetVersion, r.modelName, r.status.name().toLowerCase(),
                r.failureReason, r.cancelRequested, r.step, r.totalSteps, r.lastLoss, r.samplesPerSecond, r.skippedSteps,
                json(r.hyperparameters), r.owner, r.executedBy, r.attempts, r.interruptedAttempts,
                r.bestCheckpointUri, json(r.bestMetrics), r.correlationId,
                r.retryOf == null ? null : r.retryOf.toString(), r.createdAt, r.startedAt, r.finishedAt);
    }

    /** The run with its metrics history and its checkpoints. */
    public record Detailed(RunView run, List<Evaluation> metricsHistory, List<Checkpoint> checkpoints) {
    }

    public record Evaluation(long step, int epoch, double trainLoss, JsonNode validation, Instant at) {
    }

    public record Checkpoint(long step, String reason, String uri, String sha256, long size, JsonNode metrics, Instant at) {
    }

    static Detailed detailed(Run run, List<RunEvaluation> evaluations, List<RunCheckpoint> checkpoints) {
        return new Detailed(of(run),
                evaluations.stream().map(e -> new Evaluation(e.step, e.epoch, e.trainLoss, json(e.metrics), e.at)).toList(),
                checkpoints.stream().map(c -> new Checkpoint(c.step, c.reason.toLowerCase(), c.uri, c.sha256, c.size,
                        json(c.metrics), c.at)).toList());
    }

    private static JsonNode json(String text) {
        try {
            return text == null ? null : JSON.readTree(text);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}

package dev.finetune.evaluation.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Lineage;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

/** The one mapping between the {@link Evaluation} row, the checkpoint event it scores and the event it publishes. */
public final class EvaluationMapper {

    public static final String PRODUCER = "evaluation-service";
    private static final TypeReference<Map<String, Double>> METRICS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, DatasetPrepared.SplitRef>> SPLITS = new TypeReference<>() {
    };

    private EvaluationMapper() {
    }

    /** A new row for scoring {@code event}'s checkpoint; status and results are filled in by the caller. */
    public static Evaluation started(CheckpointSaved event) {
        Lineage lineage = event.lineage();
        Evaluation evaluation = new Evaluation();
        evaluation.id = "eval-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        evaluation.eventId = UUID.randomUUID();
        evaluation.occurredAt = Instant.now().truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps
        evaluation.correlationId = event.correlationId();
        evaluation.checkpointEventId = event.eventId();
        evaluation.modelName = event.modelName();
        evaluation.dataset = lineage.dataset();
        evaluation.team = lineage.team();
        evaluation.datasetVersion = lineage.datasetVersion();
        evaluation.datasetManifestUri = lineage.datasetManifestUri();
        evaluation.runId = lineage.runId();
        evaluation.checkpoint = checkpointName(lineage);
        evaluation.checkpointUri = lineage.checkpointUri();
        evaluation.checkpointSha256 = lineage.checkpointSha256();
        evaluation.step = lineage.step();
        evaluation.lineageSplits = json(lineage.splits());
        return evaluation;
    }

    /**
     * The checkpoint's name in its run: the folder training-service stores it in ({@code models/{run}/ckpt-300/
     * model.zip}), else {@code ckpt-{step}}.
     */
    public static String checkpointName(Lineage lineage) {
        String[] parts = lineage.checkpointUri().split("/");
        if (parts.length >= 2 && parts[parts.length - 2].matches("ckpt-[A-Za-z0-9._-]+")) {
            return parts[parts.length - 2];
        }
        return "ckpt-" + lineage.step();
    }

    /**
     * The candidate announcement an evaluation scored, rebuilt from its row to score the checkpoint again: the same
     * event id (its inbox entry stays the one), model, lineage and correlation id. Epoch and validation metrics are
     * not kept in the row, and scoring does not read them.
     */
    public static CheckpointSaved announcement(Evaluation evaluation) {
        EventMeta meta = new EventMeta(evaluation.checkpointEventId, Instant.now(), EventMeta.SCHEMA_VERSION,
                "training-service", evaluation.correlationId);
        return new CheckpointSaved(meta, evaluation.modelName, lineage(evaluation), 0, Map.of(), true, false);
    }

    public static Lineage lineage(Evaluation evaluation) {
        return new Lineage(evaluation.dataset, evaluation.team, evaluation.datasetVersion, evaluation.datasetManifestUri,
                evaluation.runId, evaluation.checkpointUri, evaluation.checkpointSha256, evaluation.step,
                read(evaluation.lineageSplits, SPLITS));
    }

    public static EvaluationCompleted toEvent(Evaluation evaluation) {
        EventMeta meta = new EventMeta(evaluation.eventId, evaluation.occurredAt, EventMeta.SCHEMA_VERSION, PRODUCER,
                evaluation.correlationId);
        return new EvaluationCompleted(meta, evaluation.id, evaluation.status, evaluation.reason, evaluation.modelName,
                lineage(evaluation), metrics(evaluation.metrics), metrics(evaluation.perLabelF1),
                champion(evaluation.champion), evaluation.reportUri);
    }

    public static Map<String, Double> metrics(String json) {
        return json == null ? Map.of() : read(json, METRICS);
    }

    public static EvaluationCompleted.ChampionComparison champion(String json) {
        return json == null ? null : read(json, new TypeReference<EvaluationCompleted.ChampionComparison>() {
        });
    }

    public static String json(Object value) {
        return value == null ? null : EventCodec.encode(value);
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return EventCodec.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}

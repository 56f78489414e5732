package dev.finetune.events;

import java.util.Map;

/** Which record type travels on which topic: the lookup consumers and contract tests share. */
public final class EventTypes {

    private static final Map<String, Class<?>> BY_TOPIC = Map.of(
            Topics.LABELS_INGEST, LabelRecord.class,
            Topics.DATASETS_PREPARED, DatasetPrepared.class,
            Topics.TRAINING_PROGRESS, TrainingProgress.class,
            Topics.TRAINING_CHECKPOINTS, CheckpointSaved.class,
            Topics.TRAINING_COMPLETED, TrainingCompleted.class,
            Topics.TRAINING_FAILED, TrainingFailed.class,
            Topics.EVALUATIONS_COMPLETED, EvaluationCompleted.class,
            Topics.MODELS_PROMOTED, ModelPromoted.class,
            Topics.MODELS_REJECTED, ModelRejected.class,
            Topics.BATCH_PREDICTIONS_COMPLETED, BatchPredictionCompleted.class);

    private EventTypes() {
    }

    public static Class<?> forTopic(String topic) {
        Class<?> type = BY_TOPIC.get(topic);
        if (type == null) {
            throw new IllegalArgumentException("no event type for topic '" + topic + "'");
        }
        return type;
    }
}

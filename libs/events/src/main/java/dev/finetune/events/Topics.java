package dev.finetune.events;

import java.util.List;
import java.util.stream.Stream;

/**
 * Every Kafka topic of the platform, named in one place. Records are keyed by the entity they are
 * about (data set name, run id, model name), so order holds per entity and consumers scale by partition.
 */
public final class Topics {

    /** Labelled examples streaming in, key: data set name. Consumed by dataset-service. */
    public static final String LABELS_INGEST = "labels.ingest";
    /** A data set version was validated, split and stored, key: data set name. */
    public static final String DATASETS_PREPARED = "datasets.prepared";
    /** Periodic progress of a training run, key: run id. */
    public static final String TRAINING_PROGRESS = "training.progress";
    /** A checkpoint was stored in S3, key: run id. */
    public static final String TRAINING_CHECKPOINTS = "training.checkpoints";
    /** A run finished with its best checkpoint, key: run id. */
    public static final String TRAINING_COMPLETED = "training.completed";
    /** A run failed, key: run id. */
    public static final String TRAINING_FAILED = "training.failed";
    /** A candidate checkpoint was scored, key: model name. */
    public static final String EVALUATIONS_COMPLETED = "evaluations.completed";
    /** The production alias of a model moved to a version, key: model name. */
    public static final String MODELS_PROMOTED = "models.promoted";
    /** A candidate failed the promotion policy, key: model name. */
    public static final String MODELS_REJECTED = "models.rejected";

    /** Partitions per topic: enough for a few training consumers to share the work. */
    public static final int DEFAULT_PARTITIONS = 3;

    /**
     * Topics the platform's services consume, with the service that consumes each. training-service reads its
     * own progress and end events back (a group per instance) to feed every instance's progress streams.
     */
    public static final List<Consumed> CONSUMED = List.of(
            new Consumed(LABELS_INGEST, "dataset-service"),
            new Consumed(MODELS_PROMOTED, "dataset-service"),
            new Consumed(DATASETS_PREPARED, "training-service"),
            new Consumed(TRAINING_PROGRESS, "training-service"),
            new Consumed(TRAINING_COMPLETED, "training-service"),
            new Consumed(TRAINING_FAILED, "training-service"),
            new Consumed(TRAINING_CHECKPOINTS, "evaluation-service"),
            new Consumed(MODELS_PROMOTED, "evaluation-service"),
            new Consumed(EVALUATIONS_COMPLETED, "registry-service"),
            new Consumed(MODELS_PROMOTED, "registry-service"));

    /** Every event topic, in pipeline order. */
    public static final List<String> EVENTS = List.of(
            LABELS_INGEST, DATASETS_PREPARED, TRAINING_PROGRESS, TRAINING_CHECKPOINTS, TRAINING_COMPLETED,
            TRAINING_FAILED, EVALUATIONS_COMPLETED, MODELS_PROMOTED, MODELS_REJECTED);

    private Topics() {
    }

    /**
     * The dead-letter topic of one consumer of one topic. Per consumer, not per topic, so a replay of
     * one service's failures never reaches another service.
     */
    public static String deadLetter(String topic, String consumer) {
        return "dlq." + consumer + "." + topic;
    }

    /** Every topic to create on a fresh broker: event topics and each consumer's dead-letter topic. */
    public static List<String> all() {
        return Stream.concat(EVENTS.stream(), CONSUMED.stream().map(Consumed::deadLetterTopic)).distinct().toList();
    }

    /** One consuming service of one topic. */
    public record Consumed(String topic, String consumer) {
        public String deadLetterTopic() {
            return deadLetter(topic, consumer);
        }
    }
}

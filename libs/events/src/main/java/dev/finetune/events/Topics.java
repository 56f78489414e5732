package dev.finetune.events;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every Kafka topic of the platform, named in one place. Records are keyed by the entity they are
 * about (data set name, run id, model name), so order holds per entity and consumers scale by partition.
 */
public final class Topics {

    /**
     * Labelled examples streaming in, key: data set name, value: LabelRecord. Not one topic but one per team,
     * {@code labels.ingest.<team>} ({@link #labelsIngest}), which only that team's pipeline may write (KafkaAccess):
     * a consumer cannot see who produced a record, so the broker's ACL on the topic is what proves the record's
     * team. Consumed by dataset-service through {@link #LABELS_INGEST_PATTERN}; this name is the family's, used for
     * its dead-letter topic and as a version's source.
     */
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
    /** A batch prediction ended (succeeded or failed): {@link BatchPredictionCompleted}. */
    public static final String BATCH_PREDICTIONS_COMPLETED = "batch-predictions.completed";

    /** A team's name as it may end a topic name: no dot, so the team is whatever follows the family's dot. */
    public static final Pattern TEAM = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    /** Every team's labels.ingest topic, as a regular expression for a pattern subscription. */
    public static final String LABELS_INGEST_PATTERN = "labels\\.ingest\\." + TEAM.pattern();

    /** Partitions per topic: enough for a few training consumers to share the work. */
    public static final int DEFAULT_PARTITIONS = 3;

    /**
     * Topics the platform's services consume, with the service that consumes each; {@link #LABELS_INGEST} stands
     * for every team's topic of the family (one dead-letter topic for them all). training-service reads its own
     * progress and end events back (a group per instance) to feed every instance's progress streams.
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
            TRAINING_FAILED, EVALUATIONS_COMPLETED, MODELS_PROMOTED, MODELS_REJECTED, BATCH_PREDICTIONS_COMPLETED);

    private Topics() {
    }

    /**
     * The dead-letter topic of one consumer of one topic. Per consumer, not per topic, so a replay of
     * one service's failures never reaches another service.
     */
    public static String deadLetter(String topic, String consumer) {
        return "dlq." + consumer + "." + topic;
    }

    /**
     * Every topic to create on a fresh broker that is not a team's: event topics and each consumer's dead-letter
     * topic. A team's own topics ({@link #ofTeam}) are created when the team joins.
     */
    public static List<String> all() {
        return Stream.concat(EVENTS.stream().filter(t -> !t.equals(LABELS_INGEST)),
                CONSUMED.stream().map(Consumed::deadLetterTopic)).distinct().toList();
    }

    /** The topics one team has of its own: its labels.ingest topic. */
    public static List<String> ofTeam(String team) {
        return List.of(labelsIngest(team));
    }

    /** Team {@code team}'s labels.ingest topic. */
    public static String labelsIngest(String team) {
        if (team == null || !TEAM.matcher(team).matches()) {
            throw new IllegalArgumentException("team '" + team + "' cannot name a topic: it must match "
                    + TEAM.pattern());
        }
        return LABELS_INGEST + "." + team;
    }

    /** The team whose labels.ingest topic {@code topic} is, or empty when it is none. */
    public static Optional<String> teamOfLabelsIngest(String topic) {
        String prefix = LABELS_INGEST + ".";
        if (topic == null || !topic.startsWith(prefix)) {
            return Optional.empty();
        }
        String team = topic.substring(prefix.length());
        return TEAM.matcher(team).matches() ? Optional.of(team) : Optional.empty();
    }

    /** One consuming service of one topic. */
    public record Consumed(String topic, String consumer) {
        public String deadLetterTopic() {
            return deadLetter(topic, consumer);
        }
    }
}

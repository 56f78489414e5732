package dev.finetune.testing;

import dev.finetune.events.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The one statement of who may do what on the platform's Kafka: each service reads and writes only its own
 * topics and consumer groups; each team's external pipeline principal ({@code pipeline-<team>}) produces labels on
 * its team's {@code labels.ingest.<team>} only, and reads the public topics. The SASL broker and the local stack
 * take their ACLs from this table; compose's kafka-init is checked against it (ComposeFileTests), as is
 * docs/operations.md#kafka-access by hand.
 */
public final class KafkaAccess {

    /** The external labelling pipelines; their consumer groups must start with {@link #PIPELINE_GROUP_PREFIX}. */
    public static final String PIPELINE = "pipeline";
    public static final String PIPELINE_GROUP_PREFIX = "pipeline-";

    /**
     * The teams, as the realm names them. Each has its own pipeline principal and labels topic: onboarding a team
     * is a line here (its ACLs) and its topic ({@code Topics.ofTeam}).
     */
    public static final List<String> TEAMS = List.of(FinetuneRealm.TEAM_A, FinetuneRealm.TEAM_B);

    /** What one principal may do: topics it reads, topics it writes, and the prefix of its consumer groups. */
    public record Grant(String principal, Set<String> reads, Set<String> writes, String groupPrefix) {
    }

    /**
     * The grants, taken from the services' application.properties: a service's groups start with its name
     * (registry-service's per-instance serving group and training-service's per-instance progress-stream groups
     * included), and it writes the dead-letter topics of what it consumes.
     */
    public static final List<Grant> GRANTS = Stream.concat(Stream.of(
            service("dataset-service", Set.of(Topics.DATASETS_PREPARED)),
            service("training-service", Set.of(Topics.TRAINING_PROGRESS, Topics.TRAINING_CHECKPOINTS,
                    Topics.TRAINING_COMPLETED, Topics.TRAINING_FAILED)),
            service("evaluation-service", Set.of(Topics.EVALUATIONS_COMPLETED)),
            service("registry-service", Set.of(Topics.MODELS_PROMOTED, Topics.MODELS_REJECTED,
                    Topics.BATCH_PREDICTIONS_COMPLETED))),
            TEAMS.stream().map(KafkaAccess::pipelineGrant)).toList();

    private KafkaAccess() {
    }

    /**
     * The environment variable with {@code principal}'s SCRAM password where one process provisions them all
     * (the local stack's broker, compose's kafka-init): {@code KAFKA_DATASET_SERVICE_PASSWORD},
     * {@code KAFKA_PIPELINE_TEAM_A_PASSWORD}. A service itself reads only its own, as {@code KAFKA_PASSWORD}.
     */
    public static String passwordVariable(String principal) {
        return "KAFKA_" + principal.toUpperCase(Locale.ROOT).replace('-', '_') + "_PASSWORD";
    }

    /** Team {@code team}'s labelling pipeline principal. */
    public static String pipeline(String team) {
        return PIPELINE + "-" + team;
    }

    /**
     * A team's pipeline writes its own labels topic and nothing else: the topic is the only proof dataset-service
     * has of a record's team. Its groups end in a dot after the team, which no team name holds, so one team's
     * prefix never covers another's ({@code pipeline-team-a.} does not match {@code pipeline-team-ab.}).
     */
    private static Grant pipelineGrant(String team) {
        return new Grant(pipeline(team), publicTopics(), Set.copyOf(Topics.ofTeam(team)), pipeline(team) + ".");
    }

    /**
     * Topics any principal with a grant may read: promotions, rejections, every training.* topic and the ends of
     * batch predictions (what a pipeline that asked for one waits for).
     */
    public static Set<String> publicTopics() {
        return Topics.EVENTS.stream()
                .filter(t -> t.startsWith("training.") || t.equals(Topics.MODELS_PROMOTED)
                        || t.equals(Topics.MODELS_REJECTED) || t.equals(Topics.BATCH_PREDICTIONS_COMPLETED))
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * The grants as broker ACLs: READ (and DESCRIBE) on the topics a principal reads, WRITE (and DESCRIBE) on those
     * it writes, READ on consumer groups with its prefix. Idempotent producing needs no more: WRITE on a topic
     * implies IDEMPOTENT_WRITE since Kafka 3.0.
     */
    public static List<AclBinding> aclBindings() {
        List<AclBinding> bindings = new ArrayList<>();
        for (Grant grant : GRANTS) {
            String principal = "User:" + grant.principal();
            for (String topic : grant.reads()) {
                bindings.add(allow(principal, ResourceType.TOPIC, topic,
                        PatternType.LITERAL, AclOperation.READ));
                bindings.add(allow(principal, ResourceType.TOPIC, topic,
                        PatternType.LITERAL, AclOperation.DESCRIBE));
            }
            for (String topic : grant.writes()) {
                bindings.add(allow(principal, ResourceType.TOPIC, topic,
                        PatternType.LITERAL, AclOperation.WRITE));
                bindings.add(allow(principal, ResourceType.TOPIC, topic,
                        PatternType.LITERAL, AclOperation.DESCRIBE));
            }
            bindings.add(allow(principal, ResourceType.GROUP, grant.groupPrefix(),
                    PatternType.PREFIXED, AclOperation.READ));
        }
        return bindings;
    }

    private static AclBinding allow(String principal,
            ResourceType type, String name,
            PatternType pattern, AclOperation operation) {
        return new AclBinding(
                new ResourcePattern(type, name, pattern),
                new AccessControlEntry(principal, "*", operation,
                        AclPermissionType.ALLOW));
    }

    private static Grant service(String name, Set<String> produced) {
        List<Topics.Consumed> consumed = Topics.CONSUMED.stream().filter(c -> c.consumer().equals(name)).toList();
        // The labels.ingest family is every team's topic of it, each granted LITERAL like any other.
        Set<String> reads = consumed.stream().map(Topics.Consumed::topic)
                .flatMap(t -> t.equals(Topics.LABELS_INGEST) ? TEAMS.stream().map(Topics::labelsIngest) : Stream.of(t))
                .collect(Collectors.toUnmodifiableSet());
        Set<String> writes = Stream.concat(produced.stream(), consumed.stream().map(Topics.Consumed::deadLetterTopic))
                .collect(Collectors.toUnmodifiableSet());
        return new Grant(name, reads, writes, name);
    }
}

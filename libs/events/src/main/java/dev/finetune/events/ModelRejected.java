package dev.finetune.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A candidate failed its promotion policy and was registered as rejected.
 * Topic {@link Topics#MODELS_REJECTED}, key: model name.
 *
 * @param rules every rule's outcome; those with {@code passed=false} are why it was rejected
 */
public record ModelRejected(
        UUID eventId, Instant occurredAt, int schemaVersion, String producer, String correlationId,
        String modelName, int version, String evaluationId, List<RuleOutcome> rules, Lineage lineage)
        implements PlatformEvent {

    public ModelRejected {
        EventMeta.check(eventId, occurredAt, schemaVersion, producer, correlationId);
        Require.present(modelName, "modelName");
        Require.positive(version, "version");
        Require.present(evaluationId, "evaluationId");
        Require.notEmpty(rules, "rules");
        Require.present(lineage, "lineage");
        rules = List.copyOf(rules);
    }

    public ModelRejected(EventMeta meta, String modelName, int version, String evaluationId, List<RuleOutcome> rules,
                         Lineage lineage) {
        this(meta.eventId(), meta.occurredAt(), meta.schemaVersion(), meta.producer(), meta.correlationId(),
                modelName, version, evaluationId, rules, lineage);
    }

    /** The rules that failed. */
    public List<RuleOutcome> failedRules() {
        return rules.stream().filter(r -> !r.passed()).toList();
    }

    @Override
    public String key() {
        return modelName;
    }

    @Override
    public String topic() {
        return Topics.MODELS_REJECTED;
    }
}

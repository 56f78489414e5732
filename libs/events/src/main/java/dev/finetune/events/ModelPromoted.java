package dev.finetune.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code production} alias of a model moved to a version: by policy, by hand, or by a rollback.
 * Topic {@link Topics#MODELS_PROMOTED}, key: model name.
 *
 * @param previousVersion the version that was production before; null for a first model
 * @param trigger {@code POLICY}, {@code MANUAL} or {@code ROLLBACK}
 * @param reason why, in words: the policy's verdict or the person's reason
 * @param rules every rule's outcome when the policy decided; empty for manual actions
 */
public record ModelPromoted(
        UUID eventId, Instant occurredAt, int schemaVersion, String producer, String correlationId,
        String modelName, int version, String packageUri, String packageSha256, Map<String, Double> metrics,
        Integer previousVersion, Trigger trigger, String reason, List<RuleOutcome> rules, Lineage lineage)
        implements PlatformEvent {

    /** What moved the alias. */
    public enum Trigger { POLICY, MANUAL, ROLLBACK }

    public ModelPromoted {
        EventMeta.check(eventId, occurredAt, schemaVersion, producer, correlationId);
        Require.present(modelName, "modelName");
        Require.positive(version, "version");
        Require.present(packageUri, "packageUri");
        Require.present(packageSha256, "packageSha256");
        Require.present(trigger, "trigger");
        Require.present(lineage, "lineage");
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        rules = rules == null ? List.of() : List.copyOf(rules);
    }

    public ModelPromoted(EventMeta meta, String modelName, int version, String packageUri, String packageSha256,
                         Map<String, Double> metrics, Integer previousVersion, Trigger trigger, String reason,
                         List<RuleOutcome> rules, Lineage lineage) {
        this(meta.eventId(), meta.occurredAt(), meta.schemaVersion(), meta.producer(), meta.correlationId(),
                modelName, version, packageUri, packageSha256, metrics, previousVersion, trigger, reason, rules,
                lineage);
    }

    @Override
    public String key() {
        return modelName;
    }

    @Override
    public String topic() {
        return Topics.MODELS_PROMOTED;
    }
}

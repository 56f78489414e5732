package dev.finetune.registry.policy;

import dev.finetune.events.EvaluationCompleted;
import java.util.Map;

/**
 * What a policy judges: the candidate's scores, and the production version's when there is one.
 *
 * @param champion the paired comparison the evaluation made, null for a first model
 * @param productionVersion the version that is production now, null for a first model
 * @param productionPerLabelF1 per-label F1 of the production version, empty for a first model
 */
public record Candidate(Map<String, Double> metrics, Map<String, Double> perLabelF1,
        EvaluationCompleted.ChampionComparison champion, Integer productionVersion,
        Map<String, Double> productionPerLabelF1) {
}

package dev.finetune.evaluation.scoring;

import dev.finetune.events.EvaluationCompleted;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The candidate against the production version on exactly the same examples: the difference of each metric,
 * a bootstrap interval of the accuracy difference and the exact McNemar test on the paired outcomes.
 *
 * @param candidateOnlyCorrect examples only the candidate got right (McNemar's b)
 * @param championOnlyCorrect examples only the champion got right (McNemar's c)
 */
public record PairedComparison(int championVersion, String championPackageUri, String championPackageSha256,
                               Map<String, Double> championMetrics, Map<String, Double> deltas,
                               Bootstrap.Interval accuracyDelta, int candidateOnlyCorrect, int championOnlyCorrect,
                               double mcnemarPValue) {

    public static final double CONFIDENCE = 0.95;

    /** Compares outcomes on the same examples, in the same order; deltas are candidate minus champion. */
    public static PairedComparison of(int championVersion, String championPackageUri, String championPackageSha256,
                                      Map<String, Double> candidateMetrics, boolean[] candidateCorrect,
                                      Map<String, Double> championMetrics, boolean[] championCorrect,
                                      int resamples, long seed) {
        if (candidateCorrect.length != championCorrect.length) {
            throw new IllegalArgumentException("the champion was scored on " + championCorrect.length
                    + " examples, the candidate on " + candidateCorrect.length);
        }
        Map<String, Double> deltas = new LinkedHashMap<>();
        candidateMetrics.forEach((name, value) -> {
            Double champion = championMetrics.get(name);
            if (champion != null) {
                deltas.put(name, value - champion);
            }
        });
        int candidateOnly = 0;
        int championOnly = 0;
        for (int i = 0; i < candidateCorrect.length; i++) {
            if (candidateCorrect[i] && !championCorrect[i]) {
                candidateOnly++;
            } else if (!candidateCorrect[i] && championCorrect[i]) {
                championOnly++;
            }
        }
        return new PairedComparison(championVersion, championPackageUri, championPackageSha256,
                Map.copyOf(championMetrics), deltas,
                Bootstrap.accuracyDifference(candidateCorrect, championCorrect, resamples, CONFIDENCE, seed),
                candidateOnly, championOnly, McNemar.exactPValue(candidateOnly, championOnly));
    }

    /** The summary {@code evaluations.completed} carries. */
    public EvaluationCompleted.ChampionComparison summary() {
        return new EvaluationCompleted.ChampionComparison(championVersion, deltas, accuracyDelta.low(),
                accuracyDelta.high(), mcnemarPValue);
    }
}

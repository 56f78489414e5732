package dev.finetune.evaluation.scoring;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.finetune.evaluation.domain.Champion;
import dev.finetune.evaluation.domain.ChampionScore;
import dev.finetune.evaluation.domain.ChampionStore;
import dev.finetune.evaluation.domain.EvaluationMapper;
import dev.finetune.events.EventCodec;
import dev.finetune.ml.classifier.Classifier;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.eval.Evaluator;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Scores the production version of a model on a test split, once per (version, test split checksum): the
 * predictions and metrics are cached in PostgreSQL, so a run's best and last checkpoints (and every later run on
 * the same data set version) reuse them.
 */
@ApplicationScoped
public class ChampionScorer {

    private static final Logger LOG = Logger.getLogger(ChampionScorer.class);
    private static final TypeReference<List<String>> NAMES = new TypeReference<>() {
    };

    private final ChampionStore champions;
    private final PackageLoader packages;

    public ChampionScorer(ChampionStore champions, PackageLoader packages) {
        this.champions = champions;
        this.packages = packages;
    }

    /**
     * The champion's predicted label names (split order) and its metrics on the split.
     *
     * @param metrics accuracy, macroF1, logLoss, ece; only accuracy when the champion does not know every label of
     *                the split (a data set that gained a label), since the others need its probability of each
     */
    public record Outcome(List<String> predictions, Map<String, Double> metrics, boolean cached) {

        /** Whether the champion got each example right, by label name. */
        public boolean[] correct(List<Example> examples) {
            boolean[] correct = new boolean[examples.size()];
            for (int i = 0; i < correct.length; i++) {
                correct[i] = examples.get(i).label().equals(predictions.get(i));
            }
            return correct;
        }
    }

    public Outcome score(Champion champion, TestSplit split) {
        var cached = champions.score(champion.modelName, champion.version, split.sha256());
        if (cached.isPresent() && cached.get().packageSha256.equalsIgnoreCase(champion.packageSha256)) {
            ChampionScore row = cached.get();
            List<String> predictions = read(row.predictions, NAMES);
            if (predictions.size() == split.examples().size()) {
                return new Outcome(predictions, EvaluationMapper.metrics(row.metrics), true);
            }
        }
        String what = "champion " + champion.modelName + " v" + champion.version;
        Outcome outcome;
        try (Classifier classifier = packages.classifier(what, champion.packageUri, champion.packageSha256)) {
            float[][] probabilities = classifier.probabilities(split.texts());
            if (new HashSet<>(classifier.labels()).containsAll(labelsOf(split))) {
                ScoreSheet sheet = ScoreSheet.of(classifier.labels(),
                        Evaluator.truth(classifier.labels(), split.examples()), probabilities);
                outcome = new Outcome(sheet.predictedLabels(), sheet.qualityMetrics(), false);
            } else {
                List<String> predictions = new ArrayList<>(probabilities.length);
                for (float[] p : probabilities) {
                    int best = 0;
                    for (int k = 1; k < p.length; k++) {
                        best = p[k] > p[best] ? k : best;
                    }
                    predictions.add(classifier.labels().get(best));
                }
                outcome = accuracyOnly(predictions, split);
                LOG.warnf("%s knows labels %s but test split %s has %s: compared on accuracy only", what,
                        classifier.labels(), split.uri(), labelsOf(split));
            }
        } catch (EvaluationFailure e) {
            throw e;
        } catch (RuntimeException e) {
            throw new EvaluationFailure(what + " could not be scored: " + e.getMessage(), e);
        }
        champions.saveScore(champion.modelName, champion.version, split.sha256(), champion.packageSha256,
                EventCodec.encode(outcome.metrics()), EventCodec.encode(outcome.predictions()));
        return outcome;
    }

    private static Outcome accuracyOnly(List<String> predictions, TestSplit split) {
        int right = 0;
        for (int i = 0; i < predictions.size(); i++) {
            right += split.examples().get(i).label().equals(predictions.get(i)) ? 1 : 0;
        }
        return new Outcome(predictions, Map.of("accuracy", (double) right / predictions.size()), false);
    }

    private static HashSet<String> labelsOf(TestSplit split) {
        HashSet<String> labels = new HashSet<>();
        split.examples().forEach(e -> labels.add(e.label()));
        return labels;
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return EventCodec.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cached champion score is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}

package dev.finetune.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.ml.BaseModel;
import dev.finetune.ml.classifier.Prediction;
import dev.finetune.ml.classifier.TextClassifier;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.eval.EvaluationMetrics;
import dev.finetune.ml.eval.Evaluator;
import dev.finetune.ml.testing.TopicData;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Fine-tuning on small generated data lifts validation accuracy well above chance (1/3). */
class FineTuningTests {

    private static final List<Example> TRAIN = TopicData.generate(96, 1);
    private static final List<Example> VALIDATION = TopicData.generate(48, 2);

    @Test
    void fullFineTuningLearnsTheTopics() {
        TrainingConfig config = TrainingConfig.defaults()
                .withStrategy(Strategy.FULL)
                .withEpochs(4)
                .withBatchSize(16)
                .withMaxLength(32)
                .withLearningRate(1e-4f)
                .withEarlyStoppingPatience(0);
        TrainingResult result = FineTuner.train(BaseModel.minilm(), config, TRAIN, VALIDATION, TrainingListener.NONE);

        System.out.printf("full: %d steps, %.1f samples/s, %.0f tokens/s, %.1f s, history %s%n", result.steps(),
                result.samplesPerSecond(), result.tokensPerSecond(), result.trainSeconds(),
                result.history().stream().map(h -> String.format("%.3f/%.3f", h.trainLoss(), h.validation().accuracy())).toList());
        assertThat(result.steps()).isEqualTo(24);
        EvaluationMetrics last = result.history().get(result.history().size() - 1).validation();
        assertThat(last.accuracy()).isGreaterThan(0.8);
        assertThat(result.losses().get(result.losses().size() - 1)).isLessThan(result.losses().get(0));

        try (TextClassifier classifier = TextClassifier.load(result.bestPackage())) {
            EvaluationMetrics reloaded = Evaluator.evaluate(classifier, VALIDATION);
            assertThat(reloaded.accuracy()).isGreaterThan(0.8);
            Prediction p = classifier.predict(List.of("the striker scored a late goal")).get(0);
            assertThat(p.label()).isEqualTo("sports");
            assertThat(p.probabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @Test
    void headStrategyLearnsInSeconds() {
        TrainingConfig config = TrainingConfig.defaults()
                .withStrategy(Strategy.HEAD)
                .withEpochs(30)
                .withBatchSize(16)
                .withMaxLength(32)
                .withHeadLearningRate(5e-3f)
                .withEarlyStoppingPatience(0);
        TrainingResult result = FineTuner.train(BaseModel.minilm(), config, TRAIN, VALIDATION, TrainingListener.NONE);

        EvaluationMetrics best = result.history().stream().map(EpochMetrics::validation)
                .max(java.util.Comparator.comparingDouble(EvaluationMetrics::macroF1)).orElseThrow();
        // Speed is the benchmark's business (bench/finetune.sh), not a unit test's: no wall-clock assertion.
        System.out.printf("head: %d steps in %.2f s (%.0f samples/s), best accuracy %.3f%n", result.steps(),
                result.trainSeconds(), result.samplesPerSecond(), best.accuracy());
        assertThat(result.steps()).isEqualTo(180);
        assertThat(best.accuracy()).isGreaterThan(0.8);
        assertThat(result.bestPackage().metadata().metrics().get("macro_f1")).isEqualTo(best.macroF1());
    }
}

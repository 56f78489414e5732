package dev.finetune.ml.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.ml.BaseModel;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.testing.TopicData;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A step the non-finite guard skips is visible when it happens: the listener hears of it (loss NaN, the
 * run's count of skipped steps), not only through the count on the next finite step's progress.
 */
class SkippedStepTests {

    private static final List<Example> TRAIN = TopicData.generate(24, 5);

    @Test
    void everySkippedStepIsReportedToTheListenerBeforeTheGuardFailsTheRun() {
        // The head only (cheap), and a first update that sends its weights to infinity: every later loss
        // is non-finite. 12 steps per epoch, so the guard fails the run at the 4th skipped step in a row.
        TrainingConfig config = TrainingConfig.defaults()
                .withStrategy(Strategy.HEAD)
                .withEpochs(1)
                .withBatchSize(2)
                .withMaxLength(16)
                .withWarmupRatio(0f)
                .withHeadLearningRate(1e38f)
                .withEarlyStoppingPatience(0);
        List<TrainingProgress> steps = new ArrayList<>();
        List<TrainingProgress> skipped = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onStep(TrainingProgress progress) {
                steps.add(progress);
            }

            @Override
            public void onSkippedStep(TrainingProgress progress) {
                skipped.add(progress);
            }

            @Override
            public boolean wantsCheckpoints() {
                return false;
            }
        };

        assertThatThrownBy(() -> FineTuner.train(BaseModel.minilm(), config, TRAIN, List.of(), listener))
                .hasMessageStartingWith("training diverged: no finite loss and gradient for 4 steps in a row");

        assertThat(steps).as("finite steps").isNotEmpty().allSatisfy(p -> assertThat(p.loss()).isFinite());
        long firstSkipped = steps.get(steps.size() - 1).step() + 1;
        assertThat(skipped).as("skipped steps, as they happened").hasSize(4);
        for (int i = 0; i < skipped.size(); i++) {
            TrainingProgress p = skipped.get(i);
            assertThat(p.step()).isEqualTo(firstSkipped + i);
            assertThat(p.loss()).isNaN();
            assertThat(p.skippedSteps()).isEqualTo(i + 1);
            assertThat(p.totalSteps()).isEqualTo(12);
        }
    }
}

package dev.finetune.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.ml.BaseModel;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.ml.testing.TopicData;
import dev.finetune.ml.weights.FloatTensor;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * A run stopped half way, written to a stream, read back and resumed ends with the same weights,
 * optimizer moments and losses as the same run done in one go: optimizer state, step, schedule,
 * data order and dropout masks all survive the checkpoint.
 */
class ResumeTests {

    private static final List<Example> TRAIN = TopicData.generate(32, 3);
    private static final List<Example> VALIDATION = TopicData.generate(12, 4);
    // 4 batches per epoch, 2 epochs: 8 steps; dropout stays on so the masks must line up too.
    private static final TrainingConfig CONFIG = TrainingConfig.defaults()
            .withStrategy(Strategy.FULL)
            .withEpochs(2)
            .withBatchSize(8)
            .withMaxLength(32)
            .withLearningRate(1e-4f)
            .withEarlyStoppingPatience(0);
    private static final int STOP_AFTER = 3; // inside the first epoch: the resumed run crosses an epoch end

    @Test
    void aStoppedRunResumesToTheSameWeightsAsAnUninterruptedOne() throws IOException {
        TrainingResult uninterrupted = FineTuner.train(BaseModel.minilm(), CONFIG, TRAIN, VALIDATION, TrainingListener.NONE);
        assertThat(uninterrupted.steps()).isEqualTo(8);

        StopAfter stopper = new StopAfter(STOP_AFTER);
        TrainingResult first = FineTuner.train(BaseModel.minilm(), CONFIG, TRAIN, VALIDATION, stopper);
        assertThat(first.stopped()).isTrue();
        assertThat(first.steps()).isEqualTo(STOP_AFTER);
        assertThat(stopper.stopped).isNotNull();
        TrainingState state = stopper.stopped.trainingState().orElseThrow();
        assertThat(state.step()).isEqualTo(STOP_AFTER);
        assertThat(state.epoch()).isZero();
        assertThat(state.batchInEpoch()).isEqualTo(STOP_AFTER);

        // Through a stream, as a service stores it in S3.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        stopper.stopped.writeTo(bytes);
        ModelPackage checkpoint = ModelPackage.readFrom(new ByteArrayInputStream(bytes.toByteArray()));
        assertThat(checkpoint.sha256()).isEqualTo(stopper.stopped.sha256());

        TrainingResult resumed = FineTuner.resume(checkpoint, TRAIN, VALIDATION, TrainingListener.NONE);

        assertThat(resumed.stopped()).isFalse();
        assertThat(resumed.steps()).isEqualTo(8);
        // Every step kept its update: a step the non-finite guard skipped would make the trajectories part there.
        // (It happened at random steps until BertLayer stopped handing autograd memory that Java frees.)
        assertThat(uninterrupted.losses()).as("finite steps of the uninterrupted run").hasSize(8);
        assertThat(first.losses()).as("finite steps before the stop").hasSize(STOP_AFTER);
        assertThat(resumed.losses()).as("finite steps after the resume").hasSize(8 - STOP_AFTER);
        assertThat(List.of(uninterrupted.skippedSteps(), first.skippedSteps(), resumed.skippedSteps()))
                .as("skipped steps counted by the guard").containsOnly(0L);
        List<Double> losses = new ArrayList<>(first.losses());
        losses.addAll(resumed.losses());
        assertThat(losses).hasSize(8);
        for (int i = 0; i < losses.size(); i++) {
            assertThat(losses.get(i)).as("loss of step %d", i + 1)
                    .isCloseTo(uninterrupted.losses().get(i), org.assertj.core.data.Offset.offset(1e-4));
        }
        double weightDiff = maxAbsDifference(uninterrupted.finalPackage().weights(), resumed.finalPackage().weights());
        double momentDiff = maxAbsDifference(uninterrupted.finalPackage().optimizerState(),
                resumed.finalPackage().optimizerState());
        System.out.printf("resume: max weight difference %.2e, max optimizer-state difference %.2e%n", weightDiff, momentDiff);
        assertThat(weightDiff).isLessThan(1e-5);
        assertThat(momentDiff).isLessThan(1e-5);
        assertThat(resumed.history()).hasSize(uninterrupted.history().size());
        assertThat(resumed.history().get(1).validation().accuracy())
                .isEqualTo(uninterrupted.history().get(1).validation().accuracy());
        assertThat(resumed.finalPackage().metadata().step()).isEqualTo(8);
    }

    @Test
    void aPackageWithoutTrainingStateCannotBeResumed() {
        TrainingResult head = FineTuner.train(BaseModel.minilm(), CONFIG.withStrategy(Strategy.HEAD).withEpochs(1),
                TRAIN, List.of(), TrainingListener.NONE);
        ModelPackage served = head.bestPackage();
        assertThat(served.resumable()).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FineTuner.resume(served, TRAIN, List.of(), TrainingListener.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(served.sha256());
    }

    static double maxAbsDifference(Map<String, FloatTensor> expected, Map<String, FloatTensor> actual) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        double max = 0;
        for (Map.Entry<String, FloatTensor> e : expected.entrySet()) {
            float[] a = e.getValue().data();
            float[] b = actual.get(e.getKey()).data();
            assertThat(b).as(e.getKey()).hasSameSizeAs(a);
            for (int i = 0; i < a.length; i++) {
                max = Math.max(max, Math.abs(a[i] - b[i]));
            }
        }
        return max;
    }

    /** Asks to stop after a number of steps and keeps the STOPPED checkpoint. */
    private static final class StopAfter implements TrainingListener {
        private final int steps;
        private long seen;
        ModelPackage stopped;

        StopAfter(int steps) {
            this.steps = steps;
        }

        @Override
        public void onStep(TrainingProgress progress) {
            seen = progress.step();
        }

        @Override
        public boolean stopRequested() {
            return seen >= steps;
        }

        @Override
        public void onCheckpoint(CheckpointReason reason, ModelPackage checkpoint) {
            if (reason == CheckpointReason.STOPPED) {
                stopped = checkpoint;
            }
        }
    }
}

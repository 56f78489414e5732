package dev.finetune.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.ml.BaseModel;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.testing.TopicData;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/**
 * Runs on two threads of one process (training-service with {@code training.concurrency} 2) each give the
 * loss curve they give alone, to the bit. Before: DJL's GradientCollector allows one per process, so a step
 * overlapping the other run's threw "A PtGradientCollector is already collecting"; with autograd switched on
 * per thread instead, run A parted from its solo curve at step 41 of 72 in the third round, because libtorch's
 * one random generator (the dropout masks) was reseeded or drawn from by run B between A's seeding and draws.
 */
class ConcurrentRunsTests {

    private static final List<Example> TRAIN = TopicData.generate(24, 6);
    // The head only, so steps are short and the two runs' steps interleave many times; dropout on.
    private static final TrainingConfig CONFIG = TrainingConfig.defaults()
            .withStrategy(Strategy.HEAD)
            .withEpochs(6)
            .withBatchSize(2)
            .withMaxLength(16)
            .withEarlyStoppingPatience(0);

    @Test
    void twoRunsAtOnceGiveTheLossesTheyGiveAlone() throws Exception {
        TrainingConfig other = CONFIG.withSeed(CONFIG.seed() + 1);
        List<Double> aloneA = losses(CONFIG);
        List<Double> aloneB = losses(other);
        assertThat(aloneA).as("two seeds, two curves").isNotEqualTo(aloneB);

        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                Future<List<Double>> a = threads.submit(() -> losses(CONFIG));
                Future<List<Double>> b = threads.submit(() -> losses(other));
                assertThat(firstDifference(a.get(), aloneA)).as("first step where run A next to run B parts from "
                        + "run A alone (0: none), round %d", round).isZero();
                assertThat(firstDifference(b.get(), aloneB)).as("first step where run B next to run A parts from "
                        + "run B alone (0: none), round %d", round).isZero();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static List<Double> losses(TrainingConfig config) {
        TrainingResult result = FineTuner.train(BaseModel.minilm(), config, TRAIN, List.of(), TrainingListener.NONE);
        assertThat(result.skippedSteps()).isZero();
        return result.losses();
    }

    /** The first step (1-based) whose loss differs in any bit, or 0 when the curves are identical. */
    private static int firstDifference(List<Double> actual, List<Double> expected) {
        for (int i = 0; i < Math.max(actual.size(), expected.size()); i++) {
            if (i >= actual.size() || i >= expected.size()
                    || Double.doubleToRawLongBits(actual.get(i)) != Double.doubleToRawLongBits(expected.get(i))) {
                return i + 1;
            }
        }
        return 0;
    }
}

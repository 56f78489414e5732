package dev.finetune.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.ml.BaseModel;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.testing.TopicData;
import dev.finetune.ml.weights.FloatTensor;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Which weights each strategy trains, and determinism for a seed. */
class TrainingStrategyTests {

    private static final List<Example> TRAIN = TopicData.generate(32, 5);
    private static final TrainingConfig FEW_STEPS = TrainingConfig.defaults()
            .withEpochs(1)
            .withBatchSize(8)
            .withMaxLength(32)
            .withLearningRate(1e-4f)
            .withEarlyStoppingPatience(0);

    @Test
    void lastNTrainsOnlyTheTopLayersAndTheHead() {
        BaseModel base = BaseModel.minilm();
        int layers = base.config().numLayers();
        TrainingConfig config = FEW_STEPS.withStrategy(Strategy.LAST_N).withLastLayers(2).withMaxSteps(3);
        TrainingResult result = FineTuner.train(base, config, TRAIN, List.of(), TrainingListener.NONE);
        assertThat(result.steps()).isEqualTo(3);

        Map<String, FloatTensor> trained = result.finalPackage().weights();
        for (Map.Entry<String, FloatTensor> e : base.weights().entrySet()) {
            String name = e.getKey();
            boolean top = name.startsWith("encoder.layer.") && layerOf(name) >= layers - 2;
            boolean same = Arrays.equals(e.getValue().data(), trained.get(name).data());
            assertThat(same).as("%s is %s", name, top ? "trained" : "frozen").isEqualTo(!top);
        }
        assertThat(trained).containsKeys("classifier.weight", "classifier.bias");
        assertThat(result.finalPackage().optimizerState().keySet())
                .allMatch(k -> k.contains("classifier.") || k.contains("encoder.layer." + (layers - 1) + ".")
                        || k.contains("encoder.layer." + (layers - 2) + "."))
                .contains("m/classifier.weight", "v/encoder.layer." + (layers - 2) + ".attention.self.query.weight");
    }

    @Test
    void headLeavesTheEncoderUntouched() {
        BaseModel base = BaseModel.minilm();
        TrainingResult result = FineTuner.train(base, FEW_STEPS.withStrategy(Strategy.HEAD), TRAIN, List.of(),
                TrainingListener.NONE);
        Map<String, FloatTensor> trained = result.finalPackage().weights();
        for (Map.Entry<String, FloatTensor> e : base.weights().entrySet()) {
            assertThat(trained.get(e.getKey()).data()).as(e.getKey()).isEqualTo(e.getValue().data());
        }
        assertThat(result.finalPackage().optimizerState().keySet())
                .containsExactlyInAnyOrder("m/classifier.weight", "v/classifier.weight", "m/classifier.bias", "v/classifier.bias");
    }

    @Test
    void theSameSeedGivesTheSameLossCurve() {
        TrainingConfig config = FEW_STEPS.withStrategy(Strategy.FULL).withMaxSteps(3);
        TrainingResult a = FineTuner.train(BaseModel.minilm(), config, TRAIN, List.of(), TrainingListener.NONE);
        TrainingResult b = FineTuner.train(BaseModel.minilm(), config, TRAIN, List.of(), TrainingListener.NONE);
        TrainingResult other = FineTuner.train(BaseModel.minilm(), config.withSeed(7), TRAIN, List.of(), TrainingListener.NONE);

        System.out.printf("losses seed 42: %s, again: %s, seed 7: %s%n", a.losses(), b.losses(), other.losses());
        assertThat(a.losses()).hasSize(3);
        assertThat(b.losses()).isEqualTo(a.losses());
        assertThat(ResumeTests.maxAbsDifference(a.finalPackage().weights(), b.finalPackage().weights())).isZero();
        assertThat(other.losses()).isNotEqualTo(a.losses());
    }

    @Test
    void batchPlanCoversEveryExampleOnceAndDependsOnlyOnSeedAndEpoch() {
        int[] lengths = new int[103];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = 3 + (i * 37) % 60;
        }
        List<int[]> plan = BatchPlan.forEpoch(lengths, 8, 42, 0);
        assertThat(plan).hasSize(BatchPlan.batchesPerEpoch(lengths.length, 8));
        assertThat(plan.stream().flatMapToInt(Arrays::stream).sorted().toArray())
                .isEqualTo(java.util.stream.IntStream.range(0, lengths.length).toArray());
        assertThat(BatchPlan.forEpoch(lengths, 8, 42, 0)).usingRecursiveComparison().isEqualTo(plan);
        assertThat(BatchPlan.forEpoch(lengths, 8, 42, 1)).usingRecursiveComparison().isNotEqualTo(plan);
        // length-bucketed: a batch spans a narrower range of lengths than the data does
        double meanSpread = plan.stream().mapToInt(b -> Arrays.stream(b).map(i -> lengths[i]).max().getAsInt()
                - Arrays.stream(b).map(i -> lengths[i]).min().getAsInt()).average().orElseThrow();
        assertThat(meanSpread).isLessThan(20);
    }

    private static int layerOf(String name) {
        String rest = name.substring("encoder.layer.".length());
        return Integer.parseInt(rest.substring(0, rest.indexOf('.')));
    }
}

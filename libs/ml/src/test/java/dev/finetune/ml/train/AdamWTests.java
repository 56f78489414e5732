package dev.finetune.ml.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.engine.Engine;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One bad batch must not poison the weights: a non-finite gradient is dropped, not applied. */
class AdamWTests {

    @Test
    void aFiniteGradientUpdatesAndANonFiniteOneIsDroppedWithTheWeightsUntouched() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter weight = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            weight.setArray(manager.create(new float[] {1f, 2f, 3f}));
            weight.getArray().setRequiresGradient(true);
            AdamW optimizer = new AdamW(manager, List.of(new AdamW.Slot("w", weight, false, false)));

            backward(weight, manager.create(new float[] {1f, 1f, 1f}));
            try (NDManager step = manager.newSubManager()) {
                assertThat(optimizer.step(step, 0.1f, 0.1f, 0f, 1f)).isFinite();
            }
            float[] afterGoodStep = weight.getArray().toFloatArray();
            assertThat(afterGoodStep).isNotEqualTo(new float[] {1f, 2f, 3f});

            backward(weight, manager.create(new float[] {Float.POSITIVE_INFINITY, 1f, 1f}));
            try (NDManager step = manager.newSubManager()) {
                assertThat(optimizer.step(step, 0.1f, 0.1f, 0f, 1f)).isInfinite();
            }
            assertThat(weight.getArray().toFloatArray()).containsExactly(afterGoodStep);
            assertThat(optimizer.updates()).isEqualTo(1);
            assertThat(weight.getArray().getGradient().toFloatArray()).containsOnly(0f);
        }
    }

    /** Accumulates d(sum(w * direction))/dw = direction into the weight's gradient. */
    private static void backward(Parameter weight, NDArray direction) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(weight.getArray().mul(direction).sum());
        }
    }
}

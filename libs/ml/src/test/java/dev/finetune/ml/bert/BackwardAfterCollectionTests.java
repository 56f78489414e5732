package dev.finetune.ml.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.tokenizer.TextTokenizer;
import dev.finetune.ml.tokenizer.TokenBatch;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The encoder's backward pass reads only memory that libtorch owns: a garbage collection between the
 * forward and the backward pass changes no gradient. DJL makes a Java number operand ({@code x.mul(0.125f)})
 * into a tensor over a direct ByteBuffer and closes it when the op returns; where autograd saved that tensor
 * for backward, a collection in between freed its memory and the gradient came from whatever malloc left
 * there. Under load, collections land at random steps: that was the random NaN of docs/benchmarks.md.
 */
class BackwardAfterCollectionTests {

    private static final List<String> TEXTS = List.of("the striker scored a late goal", "heavy rain is forecast",
            "a spicy curry", "Honestly, the dessert menu surprised me.");

    @Test
    void aCollectionBetweenForwardAndBackwardChangesNoGradient() {
        BaseModel base = BaseModel.minilm();
        BertConfig c = base.config();
        // No dropout: the two passes must draw nothing at random, so any difference is memory.
        BertConfig config = c.withDropout(0f);
        List<long[]> ids;
        try (TextTokenizer tokenizer = TextTokenizer.fromJson(base.tokenizerJson(), 32)) {
            ids = tokenizer.encode(TEXTS);
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            BertEncoder encoder = new BertEncoder(config);
            encoder.loadWeights(manager, base.weights());
            encoder.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));

            Map<String, float[]> quiet = gradients(encoder, manager, ids, false);
            Map<String, float[]> collected = gradients(encoder, manager, ids, true);

            assertThat(collected.keySet()).containsExactlyElementsOf(quiet.keySet());
            quiet.forEach((name, expected) -> {
                float[] actual = collected.get(name);
                assertThat(actual).as(name).hasSameSizeAs(expected);
                int nonFinite = 0;
                int differing = 0;
                for (int i = 0; i < expected.length; i++) {
                    nonFinite += Float.isFinite(actual[i]) ? 0 : 1;
                    differing += Float.floatToRawIntBits(actual[i]) == Float.floatToRawIntBits(expected[i]) ? 0 : 1;
                }
                assertThat(nonFinite).as("non-finite gradient values of %s after a collection", name).isZero();
                assertThat(differing).as("gradient values of %s that differ after a collection before backward (of %d)",
                        name, expected.length).isZero();
            });
        }
    }

    /** Gradients of sum(pooled^2) for every encoder weight; optionally collects garbage between forward and backward. */
    private static Map<String, float[]> gradients(BertEncoder encoder, NDManager manager, List<long[]> ids,
            boolean collectBeforeBackward) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager batch = manager.newSubManager()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDList inputs = TokenBatch.of(ids).toNDList(batch);
                NDArray loss = encoder.apply(inputs, true).singletonOrThrow().square().sum();
                if (collectBeforeBackward) {
                    collectGarbage();
                }
                collector.backward(loss);
            }
            for (Map.Entry<String, Parameter> e : encoder.namedParameters().entrySet()) {
                NDArray w = e.getValue().getArray();
                NDArray g = w.getGradient();
                g.attach(batch);
                out.put(e.getKey(), g.toFloatArray());
                JniUtils.zeroGrad((PtNDArray) w);
            }
        }
        return out;
    }

    /**
     * A full collection, then waits until direct buffers were actually freed (their cleaners run on the
     * reference handler thread after the collection): one of our own makes sure there is one to free.
     */
    private static void collectGarbage() {
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        ByteBuffer.allocateDirect(4); // unreachable at once
        long before = direct.getCount();
        System.gc();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> direct.getCount() < before);
    }
}

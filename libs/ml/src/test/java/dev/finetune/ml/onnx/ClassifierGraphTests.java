package dev.finetune.ml.onnx;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.ml.BaseModel;
import dev.finetune.ml.bert.Pooling;
import dev.finetune.ml.classifier.ClassifierNetwork;
import dev.finetune.ml.weights.FloatTensor;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * An export never keeps a base weight silently: a weight missing from the classifier, one the base graph has no
 * place for, or one of the wrong shape is refused by name. (That a complete one scores right: OnnxExportTests.)
 */
class ClassifierGraphTests {

    private static final String QUERY = "encoder.layer.0.attention.self.query.weight";

    @Test
    void aMissingAnExtraOrAMisshapedWeightIsRefusedByName() {
        BaseModel base = BaseModel.minilm();
        byte[] onnx = BaseModel.describe(BaseModel.MINILM_NAME).readOnnx();
        int hidden = base.config().hiddenSize();
        Map<String, FloatTensor> complete = new LinkedHashMap<>(base.weights());
        complete.put(ClassifierNetwork.HEAD_WEIGHT, new FloatTensor(new long[] {2, hidden}, new float[2 * hidden]));
        complete.put(ClassifierNetwork.HEAD_BIAS, new FloatTensor(new long[] {2}, new float[2]));

        Map<String, FloatTensor> missing = new LinkedHashMap<>(complete);
        missing.remove(QUERY);
        assertThatThrownBy(() -> ClassifierGraph.build(onnx, missing, Pooling.MEAN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing weight " + QUERY);

        Map<String, FloatTensor> extra = new LinkedHashMap<>(complete);
        extra.put("pooler.dense.weight", new FloatTensor(new long[] {1}, new float[1]));
        assertThatThrownBy(() -> ClassifierGraph.build(onnx, extra, Pooling.MEAN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pooler.dense.weight");

        Map<String, FloatTensor> misshaped = new LinkedHashMap<>(complete);
        misshaped.put(QUERY, new FloatTensor(new long[] {hidden, 2}, new float[2 * hidden]));
        assertThatThrownBy(() -> ClassifierGraph.build(onnx, misshaped, Pooling.CLS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(QUERY).hasMessageContaining("shape");
    }
}

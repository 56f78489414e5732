package dev.finetune.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.ml.bert.BertConfig;
import dev.finetune.ml.bert.Pooling;
import dev.finetune.ml.classifier.TextClassifier;
import dev.finetune.ml.packaging.Json;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.ml.testing.TopicData;
import dev.finetune.ml.train.FineTuner;
import dev.finetune.ml.train.Strategy;
import dev.finetune.ml.train.TrainingConfig;
import dev.finetune.ml.train.TrainingListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The base models are data: each loads by name with its own shape and pooling, which its packages keep. */
class BaseModelCatalogTests {

    @Test
    void theCatalogOffersMiniLmAndBgeSmall() {
        assertThat(BaseModel.catalog()).extracting(BaseModel.Description::name)
                .containsExactly(BaseModel.MINILM_NAME, BaseModel.BGE_SMALL_NAME);
        assertThatThrownBy(() -> BaseModel.named("bert-large"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown base model 'bert-large'")
                .hasMessageContaining(BaseModel.MINILM_NAME).hasMessageContaining(BaseModel.BGE_SMALL_NAME);
    }

    @Test
    void eachBaseModelHasTheShapeAndPoolingOfItsExport() {
        BertConfig minilm = BaseModel.minilm().config();
        assertThat(List.of(minilm.numLayers(), minilm.hiddenSize(), minilm.numHeads(), minilm.intermediateSize()))
                .containsExactly(6, 384, 12, 1536);
        assertThat(minilm.pooling()).isEqualTo(Pooling.MEAN);

        BaseModel bge = BaseModel.named(BaseModel.BGE_SMALL_NAME);
        assertThat(bge).isSameAs(BaseModel.named(BaseModel.BGE_SMALL_NAME)); // parsed once
        BertConfig config = bge.config();
        assertThat(List.of(config.numLayers(), config.hiddenSize(), config.numHeads(), config.intermediateSize()))
                .containsExactly(12, 384, 12, 1536);
        assertThat(config.pooling()).isEqualTo(Pooling.CLS);
    }

    @Test
    void aBgePackageKeepsItsPoolingAndPredictsTheSameOnceLoaded() throws IOException {
        TrainingConfig config = TrainingConfig.defaults().withStrategy(Strategy.HEAD).withEpochs(2).withBatchSize(16)
                .withMaxLength(32).withHeadLearningRate(5e-3f).withDatasetVersion("topics@v1");
        ModelPackage trained = FineTuner.train(BaseModel.named(BaseModel.BGE_SMALL_NAME), config,
                TopicData.generate(24, 8), TopicData.generate(12, 9), TrainingListener.NONE).bestPackage();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        trained.writeTo(bytes);
        ModelPackage copy = ModelPackage.readFrom(new ByteArrayInputStream(bytes.toByteArray()));

        assertThat(copy.metadata().baseModel()).isEqualTo(BaseModel.BGE_SMALL_NAME);
        assertThat(copy.metadata().architecture().pooling()).isEqualTo(Pooling.CLS);
        assertThat(copy.metadata().architecture().numLayers()).isEqualTo(12);
        List<String> texts = List.of("the striker scored a late goal", "a cold front brings heavy rain");
        try (TextClassifier original = TextClassifier.load(trained); TextClassifier loaded = TextClassifier.load(copy)) {
            assertThat(loaded.predict(texts)).isEqualTo(original.predict(texts));
        }
    }

    @Test
    void anArchitectureRecordedBeforePoolingWasRecordedIsMeanPooled() {
        BertConfig old = Json.GSON.fromJson("""
                {"vocabSize": 30522, "hiddenSize": 384, "numLayers": 6, "numHeads": 12, "intermediateSize": 1536,
                 "maxPositions": 512, "typeVocabSize": 2, "layerNormEps": 1e-12, "dropout": 0.1}""", BertConfig.class);
        assertThat(old.pooling()).isEqualTo(Pooling.MEAN);
    }
}

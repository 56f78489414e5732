package dev.finetune.ml.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.ml.BaseModel;
import dev.finetune.ml.classifier.Prediction;
import dev.finetune.ml.classifier.TextClassifier;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.testing.TopicData;
import dev.finetune.ml.train.FineTuner;
import dev.finetune.ml.train.Strategy;
import dev.finetune.ml.train.TrainingConfig;
import dev.finetune.ml.train.TrainingListener;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A model package survives a trip through a stream unchanged, and a tampered one is refused. */
class ModelPackageTests {

    private static final List<String> TEXTS = List.of("the striker scored a late goal", "a cold front brings heavy rain",
            "the chef cooked a spicy curry", "");
    private static ModelPackage trained;

    @BeforeAll
    static void train() {
        TrainingConfig config = TrainingConfig.defaults().withStrategy(Strategy.HEAD).withEpochs(10).withBatchSize(16)
                .withMaxLength(32).withHeadLearningRate(5e-3f).withDatasetVersion("topics@v1");
        List<Example> validation = TopicData.generate(24, 9);
        trained = FineTuner.train(BaseModel.minilm(), config, TopicData.generate(48, 8), validation,
                TrainingListener.NONE).bestPackage();
    }

    @Test
    void aRoundTripThroughAStreamPreservesEverything() throws IOException {
        ModelPackage copy = ModelPackage.readFrom(new ByteArrayInputStream(bytes(trained)));

        assertThat(copy.sha256()).isEqualTo(trained.sha256()).hasSize(64);
        assertThat(copy.labels()).containsExactly("food", "sports", "weather");
        assertThat(copy.metadata()).isEqualTo(trained.metadata());
        assertThat(copy.metadata().baseModel()).isEqualTo(BaseModel.MINILM_NAME);
        assertThat(copy.metadata().datasetVersion()).isEqualTo("topics@v1");
        assertThat(copy.metadata().hyperparameters().strategy()).isEqualTo(Strategy.HEAD);
        assertThat(copy.metadata().metrics()).containsKeys("accuracy", "macro_f1", "log_loss", "ece");
        assertThat(copy.tokenizerJson()).isEqualTo(trained.tokenizerJson());
        assertThat(java.util.Arrays.equals(bytes(copy), bytes(trained))).as("the same content gives the same zip bytes").isTrue();

        try (TextClassifier original = TextClassifier.load(trained); TextClassifier loaded = TextClassifier.load(copy)) {
            List<Prediction> expected = original.predict(TEXTS);
            List<Prediction> actual = loaded.predict(TEXTS);
            assertThat(actual).isEqualTo(expected);
            assertThat(actual.get(0).label()).isEqualTo("sports");
            assertThat(actual.get(1).label()).isEqualTo("weather");
            assertThat(actual.get(2).label()).isEqualTo("food");
        }
    }

    @Test
    void changedContentDoesNotMatchTheRecordedSha256() throws IOException {
        // Rewrite the zip with one weight byte flipped but the original content.sha256.
        ByteArrayOutputStream tampered = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes(trained)));
                ZipOutputStream out = new ZipOutputStream(tampered)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                byte[] content = in.readAllBytes();
                if (e.getName().equals(ModelPackage.WEIGHTS)) {
                    content[content.length - 1] ^= 1;
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(content);
                out.closeEntry();
            }
        }
        assertThatThrownBy(() -> ModelPackage.readFrom(new ByteArrayInputStream(tampered.toByteArray())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("does not match its sha256")
                .hasMessageContaining(trained.sha256());
    }

    @Test
    void somethingElseIsNotAModelPackage() throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("readme.txt"));
            out.write("hello".getBytes());
            out.closeEntry();
        }
        assertThatThrownBy(() -> ModelPackage.readFrom(new ByteArrayInputStream(zip.toByteArray())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not a model package");
    }

    private static byte[] bytes(ModelPackage p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.writeTo(out);
        return out.toByteArray();
    }
}

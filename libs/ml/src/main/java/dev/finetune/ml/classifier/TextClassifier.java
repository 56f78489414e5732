package dev.finetune.ml.classifier;

import ai.djl.Model;
import dev.finetune.ml.packaging.ModelMetadata;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.ml.tokenizer.TextTokenizer;

import java.util.List;

/**
 * A fine-tuned text classifier loaded from a {@link ModelPackage}: tokenizer, encoder and head in one
 * native model. Holds native memory, so close it; safe for one thread at a time.
 */
public final class TextClassifier implements Classifier {

    private static final int BATCH_SIZE = 32;

    private final Model model;
    private final ClassifierNetwork network;
    private final TextTokenizer tokenizer;
    private final List<String> labels;
    private final ModelMetadata metadata;

    private TextClassifier(Model model, ClassifierNetwork network, TextTokenizer tokenizer, ModelMetadata metadata) {
        this.model = model;
        this.network = network;
        this.tokenizer = tokenizer;
        this.metadata = metadata;
        this.labels = List.copyOf(metadata.labels());
    }

    public static TextClassifier load(ModelPackage modelPackage) {
        ModelMetadata metadata = modelPackage.metadata();
        Model model = Model.newInstance("text-classifier");
        try {
            ClassifierNetwork network = new ClassifierNetwork(metadata.architecture(), metadata.labels().size());
            network.loadWeights(model.getNDManager(), modelPackage.weights());
            model.setBlock(network);
            TextTokenizer tokenizer = TextTokenizer.fromJson(modelPackage.tokenizerJson(), metadata.maxLength());
            return new TextClassifier(model, network, tokenizer, metadata);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public List<String> labels() {
        return labels;
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    @Override
    public float[][] probabilities(List<String> texts) {
        return Predictor.probabilities(network, model.getNDManager(), tokenizer.encode(texts), BATCH_SIZE);
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}

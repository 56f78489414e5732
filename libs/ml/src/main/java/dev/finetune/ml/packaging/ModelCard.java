package dev.finetune.ml.packaging;

import dev.finetune.ml.bert.Pooling;
import dev.finetune.ml.train.TrainingConfig;

import java.util.List;
import java.util.Map;

/**
 * What an ONNX export says about the model inside it ({@code model-card.json}): which ModelVersion it is, how
 * it was made (base model, DatasetVersion, hyperparameters), how good it was (metrics), and how to feed it.
 *
 * @param model the registered model's name
 * @param version the ModelVersion's number
 * @param packageContentSha256 the model package's content sha256 (over its entries, {@link ModelPackage#sha256()}),
 *     not the sha256 of its zip that the registry records as {@code packageSha256}
 * @param validationMetrics the package's metrics on the validation split at its step (from training)
 * @param testMetrics the registry's evaluation of the version on the test split
 * @param maxLength the token count the tokenizer truncates to (tokenizer.json is set to it)
 * @param inputs the graph's int64 [batch_size, sequence_length] inputs
 * @param outputs the graph's float [batch_size, labels] outputs
 */
public record ModelCard(
        int formatVersion,
        String model,
        int version,
        String packageContentSha256,
        String baseModel,
        Pooling pooling,
        List<String> labels,
        int maxLength,
        String datasetVersion,
        TrainingConfig hyperparameters,
        long step,
        int epoch,
        Map<String, Double> validationMetrics,
        Map<String, Double> testMetrics,
        String createdAt,
        List<String> inputs,
        List<String> outputs) {

    public static final int FORMAT_VERSION = 1;
}

package dev.finetune.ml.packaging;

import dev.finetune.ml.bert.BertConfig;
import dev.finetune.ml.train.TrainingConfig;

import java.util.List;
import java.util.Map;

/**
 * What a model package says about itself: architecture and label map (needed to run it) and how it
 * was made (base model, hyperparameters, DatasetVersion, step, metrics).
 *
 * @param labels label names; the head's output k is {@code labels.get(k)}
 * @param metrics validation metrics at this step (accuracy, macro_f1, log_loss, ece), empty when none
 */
public record ModelMetadata(
        int formatVersion,
        String baseModel,
        BertConfig architecture,
        List<String> labels,
        int maxLength,
        TrainingConfig hyperparameters,
        String datasetVersion,
        long step,
        int epoch,
        Map<String, Double> metrics,
        String createdAt) {

    public static final int FORMAT_VERSION = 1;
}

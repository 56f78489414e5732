package dev.finetune.ml.train;

import dev.finetune.ml.BaseModel;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.packaging.ModelMetadata;
import dev.finetune.ml.packaging.ModelPackage;

import java.util.List;
import java.util.TreeSet;

/**
 * The fine-tuning entry point: takes a base model (or a checkpoint), hyperparameters and the splits,
 * trains, and returns a {@link TrainingResult}. Tests, benchmarks and the training-service call the
 * same two methods.
 */
public final class FineTuner {

    private FineTuner() {}

    /**
     * Fine-tunes {@code base} into a classifier over the labels found in {@code train} (sorted by name).
     *
     * @param validation may be empty: then there is no early stopping and the best package is the final one
     */
    public static TrainingResult train(BaseModel base, TrainingConfig config, List<Example> train,
            List<Example> validation, TrainingListener listener) {
        if (train.isEmpty()) {
            throw new IllegalArgumentException("the training split is empty");
        }
        List<String> labels = List.copyOf(new TreeSet<>(train.stream().map(Example::label).toList()));
        if (labels.size() < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 labels, the training split has " + labels);
        }
        try (TrainingRun run = TrainingRun.fresh(base, config, labels)) {
            return run.run(train, validation, listener);
        }
    }

    /**
     * Continues the run saved in a resumable {@code checkpoint} (from {@link CheckpointReason#EPOCH_END},
     * {@link CheckpointReason#STOPPED} or a final package) exactly where it stopped: same weights,
     * optimizer moments, step, schedule and data order. The splits must be the ones it started with.
     */
    public static TrainingResult resume(ModelPackage checkpoint, List<Example> train, List<Example> validation,
            TrainingListener listener) {
        TrainingState state = checkpoint.trainingState().orElseThrow(() -> new IllegalArgumentException(
                "model package " + checkpoint.sha256() + " has no training state: it cannot be resumed"));
        ModelMetadata metadata = checkpoint.metadata();
        try (TrainingRun run = TrainingRun.restored(checkpoint, state)) {
            return run.run(train, validation, listener);
        }
    }
}

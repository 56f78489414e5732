package dev.finetune.training.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.finetune.ml.train.Strategy;
import dev.finetune.ml.train.TrainingConfig;
import dev.finetune.training.config.TrainingSettings;

/**
 * The hyperparameters of one run or one data set's configuration. Every field may be null, meaning
 * "not set here": a run's effective values are its overrides over its data set's configuration over
 * the platform defaults ({@link #over}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Hyperparameters(
        String baseModel,
        String strategy,
        Integer lastLayers,
        Integer epochs,
        Integer batchSize,
        Float learningRate,
        Float headLearningRate,
        Integer maxLength,
        Long seed,
        Integer maxSteps,
        Integer earlyStoppingPatience) {

    public static final Hyperparameters NONE = new Hyperparameters(null, null, null, null, null, null, null, null,
            null, null, null);

    public static Hyperparameters defaults(TrainingSettings.Hyperparameters d) {
        return new Hyperparameters(d.baseModel(), d.strategy(), d.lastLayers(), d.epochs(), d.batchSize(),
                d.learningRate(), d.headLearningRate(), d.maxLength(), d.seed(), d.maxSteps(),
                d.earlyStoppingPatience());
    }

    /** These values where set, {@code base}'s elsewhere. */
    public Hyperparameters over(Hyperparameters base) {
        return new Hyperparameters(
                pick(baseModel, base.baseModel), pick(strategy, base.strategy), pick(lastLayers, base.lastLayers),
                pick(epochs, base.epochs), pick(batchSize, base.batchSize), pick(learningRate, base.learningRate),
                pick(headLearningRate, base.headLearningRate), pick(maxLength, base.maxLength), pick(seed, base.seed),
                pick(maxSteps, base.maxSteps), pick(earlyStoppingPatience, base.earlyStoppingPatience));
    }

    /**
     * The model library's configuration, checking every value; throws {@link IllegalArgumentException}
     * with the offending field so REST answers 400 and a run fails with a reason a person can act on.
     */
    public TrainingConfig toTrainingConfig(String datasetVersion) {
        Strategy parsedStrategy;
        try {
            parsedStrategy = Strategy.valueOf(strategy.trim().toUpperCase().replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("strategy must be full, head or last-n, not '" + strategy + "'");
        }
        TrainingConfig config = TrainingConfig.defaults()
                .withStrategy(parsedStrategy)
                .withLastLayers(lastLayers)
                .withEpochs(epochs)
                .withBatchSize(batchSize)
                .withLearningRate(learningRate)
                .withHeadLearningRate(headLearningRate)
                .withMaxLength(maxLength)
                .withSeed(seed)
                .withMaxSteps(maxSteps)
                .withEarlyStoppingPatience(earlyStoppingPatience)
                .withDatasetVersion(datasetVersion);
        if (learningRate <= 0 || headLearningRate <= 0) {
            throw new IllegalArgumentException("learningRate and headLearningRate must be positive");
        }
        return config;
    }

    private static <T> T pick(T value, T fallback) {
        return value != null ? value : fallback;
    }
}

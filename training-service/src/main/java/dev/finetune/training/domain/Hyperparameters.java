package dev.finetune.training.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.train.Strategy;
import dev.finetune.ml.train.TrainingConfig;
import dev.finetune.support.problem.ProblemException;
import dev.finetune.training.config.TrainingSettings;
import java.util.List;

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

    /** The bounds of every number a configuration or a run's overrides may set; docs/training-service.md lists them. */
    public static final int MAX_EPOCHS = 100;
    public static final int MAX_BATCH_SIZE = 1024;
    /** From a few tokens up to the base model's position embeddings (512 for MiniLM). */
    public static final int MIN_MAX_LENGTH = 8;
    public static final int MAX_MAX_LENGTH = 512;
    /** The encoder layers MiniLM has: {@code last-n} trains at most all of them. */
    public static final int MAX_LAST_LAYERS = 12; // the deepest base model of the catalog (BGE-small)
    public static final int MAX_STEPS = 1_000_000;
    public static final int MAX_PATIENCE = 100;
    public static final List<String> BASE_MODELS =
            BaseModel.catalog().stream().map(BaseModel.Description::name).toList();

    /**
     * Checks every value that is set against its bound: a configuration is refused when it is stored (and a
     * run's overrides when the run is asked for), never when the run starts. Throws a 400
     * {@code invalid-hyperparameters} naming the field and its bound.
     */
    public Hyperparameters checked() {
        if (baseModel != null && !BASE_MODELS.contains(baseModel)) {
            throw invalid("baseModel", "one of " + BASE_MODELS, "'" + baseModel + "'");
        }
        if (strategy != null) {
            parseStrategy(strategy);
        }
        within("lastLayers", lastLayers, 0, MAX_LAST_LAYERS);
        within("epochs", epochs, 1, MAX_EPOCHS);
        within("batchSize", batchSize, 1, MAX_BATCH_SIZE);
        within("maxLength", maxLength, MIN_MAX_LENGTH, MAX_MAX_LENGTH);
        within("maxSteps", maxSteps, 0, MAX_STEPS);
        within("earlyStoppingPatience", earlyStoppingPatience, 0, MAX_PATIENCE);
        rate("learningRate", learningRate);
        rate("headLearningRate", headLearningRate);
        return this;
    }

    /**
     * The model library's configuration of these effective (fully set) values. The bounds are not checked again
     * here: values are checked on the way in ({@link #checked}), and a run starts from what was accepted then.
     */
    public TrainingConfig toTrainingConfig(String datasetVersion) {
        return TrainingConfig.defaults()
                .withStrategy(parseStrategy(strategy))
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
    }

    private static Strategy parseStrategy(String strategy) {
        for (Strategy s : Strategy.values()) {
            if (s.name().replace('_', '-').equalsIgnoreCase(strategy.trim())) {
                return s;
            }
        }
        throw invalid("strategy", "full, head or last-n", "'" + strategy + "'");
    }

    private static void within(String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            throw invalid(field, min + ".." + max, String.valueOf(value));
        }
    }

    /** Finite and in (0, 1]: a NaN or infinite rate would train nothing and say so only in the metrics. */
    private static void rate(String field, Float value) {
        if (value != null && !(Float.isFinite(value) && value > 0 && value <= 1)) {
            throw invalid(field, "a finite number in (0, 1]", String.valueOf(value));
        }
    }

    private static ProblemException invalid(String field, String bound, String was) {
        return new ProblemException(400, "invalid-hyperparameters", "A hyperparameter is out of bounds",
                field + " must be " + (bound.matches("-?\\d+\\.\\.\\d+") ? "within " : "") + bound + ", was " + was)
                .with("field", field).with("bound", bound);
    }

    private static <T> T pick(T value, T fallback) {
        return value != null ? value : fallback;
    }
}

package dev.finetune.ml.train;

/**
 * Fine-tuning hyperparameters. {@link #defaults()} is a sensible recipe for MiniLM-sized encoders
 * (AdamW, linear warmup and decay); every field has a {@code withX} copy method.
 *
 * @param strategy which weights are trained
 * @param lastLayers encoder layers trained by {@link Strategy#LAST_N}
 * @param epochs passes over the training split
 * @param batchSize examples per step
 * @param learningRate peak learning rate of the encoder
 * @param headLearningRate peak learning rate of the classification head (higher: it starts from scratch)
 * @param warmupRatio fraction of the steps spent warming the learning rate up from 0
 * @param weightDecay decoupled weight decay on weight matrices (not biases or LayerNorm)
 * @param maxLength tokens per text, special tokens included; longer texts are truncated
 * @param seed data order, dropout and head initialisation
 * @param gradientClip maximum global L2 norm of the gradient; 0 disables clipping
 * @param earlyStoppingPatience evaluations without improvement before stopping; 0 disables early stopping
 * @param selectionMetric validation metric for the best checkpoint and early stopping
 * @param classWeights loss weighting of the labels
 * @param maxSteps cap on optimizer steps (the schedule is planned for the cap); 0 means no cap
 * @param randomInit start the encoder from random weights instead of the pretrained ones (a baseline)
 * @param dropout dropout of the encoder and before the head
 * @param datasetVersion the DatasetVersion trained on, recorded in the model package (may be null)
 */
public record TrainingConfig(
        Strategy strategy,
        int lastLayers,
        int epochs,
        int batchSize,
        float learningRate,
        float headLearningRate,
        float warmupRatio,
        float weightDecay,
        int maxLength,
        long seed,
        float gradientClip,
        int earlyStoppingPatience,
        SelectionMetric selectionMetric,
        ClassWeights classWeights,
        int maxSteps,
        boolean randomInit,
        float dropout,
        String datasetVersion) {

    public TrainingConfig {
        if (strategy == null || selectionMetric == null || classWeights == null) {
            throw new IllegalArgumentException("strategy, selectionMetric and classWeights are required");
        }
        if (epochs < 1 || batchSize < 1 || maxLength < 3 || lastLayers < 0 || maxSteps < 0) {
            throw new IllegalArgumentException("epochs, batchSize must be >= 1, maxLength >= 3, lastLayers and maxSteps >= 0");
        }
        if (warmupRatio < 0 || warmupRatio >= 1 || dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("warmupRatio and dropout must be in [0, 1)");
        }
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(Strategy.FULL, 2, 3, 32, 5e-5f, 1e-3f, 0.06f, 0.01f, 128, 42L, 1.0f,
                2, SelectionMetric.MACRO_F1, ClassWeights.AUTO, 0, false, 0.1f, null);
    }

    public TrainingConfig withStrategy(Strategy v) {
        return new TrainingConfig(v, lastLayers, epochs, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withLastLayers(int v) {
        return new TrainingConfig(strategy, v, epochs, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withEpochs(int v) {
        return new TrainingConfig(strategy, lastLayers, v, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withBatchSize(int v) {
        return new TrainingConfig(strategy, lastLayers, epochs, v, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withLearningRate(float v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, v, headLearningRate, warmupRatio, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withHeadLearningRate(float v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, v, warmupRatio, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withWarmupRatio(float v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, headLearningRate, v, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withWeightDecay(float v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, headLearningRate, warmupRatio, v, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withMaxLength(int v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, v, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withSeed(long v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, v, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withGradientClip(float v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, seed, v, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withEarlyStoppingPatience(int v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, seed, gradientClip, v, selectionMetric, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withSelectionMetric(SelectionMetric v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, v, classWeights, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withClassWeights(ClassWeights v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, v, maxSteps, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withMaxSteps(int v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, v, randomInit, dropout, datasetVersion);
    }

    public TrainingConfig withRandomInit(boolean v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, v, dropout, datasetVersion);
    }

    public TrainingConfig withDropout(float v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, v, datasetVersion);
    }

    public TrainingConfig withDatasetVersion(String v) {
        return new TrainingConfig(strategy, lastLayers, epochs, batchSize, learningRate, headLearningRate, warmupRatio, weightDecay, maxLength, seed, gradientClip, earlyStoppingPatience, selectionMetric, classWeights, maxSteps, randomInit, dropout, v);
    }
}

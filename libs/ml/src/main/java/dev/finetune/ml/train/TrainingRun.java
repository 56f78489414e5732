package dev.finetune.ml.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.bert.BertConfig;
import dev.finetune.ml.classifier.ClassifierNetwork;
import dev.finetune.ml.classifier.Predictor;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.eval.EvaluationMetrics;
import dev.finetune.ml.eval.Evaluator;
import dev.finetune.ml.packaging.ModelMetadata;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.ml.runtime.GradMode;
import dev.finetune.ml.tokenizer.TextTokenizer;
import dev.finetune.ml.tokenizer.TokenBatch;
import dev.finetune.ml.weights.FloatTensor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One fine-tuning run on one native model: the loop behind {@link FineTuner}. Every step runs in its
 * own NDManager, so native memory stays flat however many steps run.
 */
final class TrainingRun implements AutoCloseable {

    private static final int EVAL_BATCH = 64;
    /**
     * libtorch has one random generator per process: a run seeds it per step and its forward pass draws the
     * dropout masks from it. Runs on other threads (training-service's {@code training.concurrency} > 1) would
     * reseed it or draw from it in between, so each run's masks, and with them its losses, would depend on
     * how the threads interleave. Seeding and every draw of a step happen under this lock.
     */
    private static final Object RANDOM = new Object();
    private static final float INIT_STD = 0.02f; // BERT's initializer_range

    private final String baseModel;
    private final BertConfig architecture;
    private final byte[] tokenizerJson;
    private final TrainingConfig config;
    private final List<String> labels;
    private final Model model;
    private final ClassifierNetwork network;
    private final TextTokenizer tokenizer;
    private final List<AdamW.Slot> slots;
    private final AdamW optimizer;

    // The run's position; saved in checkpoints.
    private long step;
    private long totalSteps;
    private int epoch;
    private int batchInEpoch;
    private double epochLossSum;
    private int epochLossCount;
    private double bestMetric = Double.NaN;
    /** Consecutive steps whose update was skipped for a non-finite loss or gradient; more than this fails the run. */
    private static final int MAX_SKIPPED_IN_A_ROW = 3;
    private static final System.Logger LOG = System.getLogger(TrainingRun.class.getName());
    private int skippedInARow;
    /** Every skipped step of the run, shown on its progress: a correct run has none (see the guard above). */
    private long skippedSteps;
    private long bestStep = -1;
    private int evaluationsWithoutImprovement;
    private long samplesSeen;
    private long tokensSeen;
    private double trainSeconds;
    private final List<EpochMetrics> history = new ArrayList<>();

    private Map<String, FloatTensor> bestTrainable;
    private Map<String, Double> bestMetrics = Map.of();
    private int bestEpoch;

    private TrainingRun(String baseModel, BertConfig architecture, byte[] tokenizerJson, TrainingConfig config,
            List<String> labels, Map<String, FloatTensor> weights) {
        this.baseModel = baseModel;
        this.architecture = architecture;
        this.tokenizerJson = tokenizerJson;
        this.config = config;
        this.labels = labels;
        this.model = Model.newInstance("fine-tune");
        try {
            network = new ClassifierNetwork(architecture, labels.size());
            network.loadWeights(model.getNDManager(), weights);
            model.setBlock(network);
            tokenizer = TextTokenizer.fromJson(tokenizerJson, config.maxLength());
            slots = trainableSlots();
            for (AdamW.Slot s : slots) {
                s.parameter().getArray().setRequiresGradient(true);
            }
            optimizer = new AdamW(model.getNDManager(), slots);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    static TrainingRun fresh(BaseModel base, TrainingConfig config, List<String> labels) {
        BertConfig arch = base.config().withDropout(config.dropout());
        Random random = new Random(config.seed());
        Map<String, FloatTensor> weights = new LinkedHashMap<>(
                config.randomInit() ? randomEncoder(base.weights(), random) : base.weights());
        int hidden = arch.hiddenSize();
        weights.put(ClassifierNetwork.HEAD_WEIGHT, new FloatTensor(new long[] {labels.size(), hidden},
                gaussian(random, labels.size() * hidden)));
        weights.put(ClassifierNetwork.HEAD_BIAS, new FloatTensor(new long[] {labels.size()}, new float[labels.size()]));
        return new TrainingRun(base.name(), arch, base.tokenizerJson(), config, labels, weights);
    }

    static TrainingRun restored(ModelPackage checkpoint, TrainingState state) {
        ModelMetadata md = checkpoint.metadata();
        TrainingRun run = new TrainingRun(md.baseModel(), md.architecture(), checkpoint.tokenizerJson(),
                md.hyperparameters(), md.labels(), checkpoint.weights());
        try {
            run.optimizer.loadState(checkpoint.optimizerState(), state.step());
            run.step = state.step();
            run.totalSteps = state.totalSteps();
            run.epoch = state.epoch();
            run.batchInEpoch = state.batchInEpoch();
            run.epochLossSum = state.epochLossSum();
            run.epochLossCount = state.epochLossCount();
            run.bestMetric = state.bestMetric();
            run.bestStep = state.bestStep();
            run.evaluationsWithoutImprovement = state.evaluationsWithoutImprovement();
            run.samplesSeen = state.samplesSeen();
            run.tokensSeen = state.tokensSeen();
            run.skippedSteps = state.skippedSteps();
            run.trainSeconds = state.trainSeconds();
            run.history.addAll(state.history());
            return run;
        } catch (RuntimeException e) {
            run.close();
            throw e;
        }
    }

    TrainingResult run(List<Example> train, List<Example> validation, TrainingListener listener) {
        int[] truth = Evaluator.truth(labels, train);
        int[] validationTruth = Evaluator.truth(labels, validation);
        List<long[]> ids = tokenizer.encode(train.stream().map(Example::text).toList());
        List<long[]> validationIds = tokenizer.encode(validation.stream().map(Example::text).toList());
        int[] lengths = ids.stream().mapToInt(a -> a.length).toArray();
        float[] labelWeights = labelWeights(truth);
        boolean headOnly = config.strategy() == Strategy.HEAD;
        float[][] cache = headOnly ? embed(ids) : null;
        float[][] validationCache = headOnly ? embed(validationIds) : null;

        int perEpoch = BatchPlan.batchesPerEpoch(ids.size(), config.batchSize());
        long planned = (long) perEpoch * config.epochs();
        long total = config.maxSteps() > 0 ? Math.min(config.maxSteps(), planned) : planned;
        if (totalSteps == 0) {
            totalSteps = total;
        } else if (totalSteps != total) {
            throw new IllegalArgumentException("the training split differs from the checkpoint's: planned "
                    + total + " steps, the checkpoint planned " + totalSteps);
        }
        LinearSchedule schedule = LinearSchedule.of(totalSteps, config.warmupRatio());
        List<Double> losses = new ArrayList<>();
        boolean stopped = false;
        boolean earlyStopped = false;

        training:
        for (; epoch < config.epochs() && step < totalSteps; epoch++) {
            List<int[]> plan = BatchPlan.forEpoch(lengths, config.batchSize(), config.seed(), epoch);
            while (batchInEpoch < plan.size() && step < totalSteps) {
                int[] batch = plan.get(batchInEpoch);
                float factor = schedule.factor(step);
                long t0 = System.nanoTime();
                double loss = headOnly
                        ? headStep(cache, truth, batch, labelWeights, factor)
                        : fullStep(ids, truth, batch, labelWeights, factor);
                trainSeconds += (System.nanoTime() - t0) / 1e9;
                if (!Double.isFinite(loss)) {
                    // Skipped without an update (see update()); a run that keeps producing them has diverged.
                    skippedInARow++;
                    skippedSteps++;
                    LOG.log(System.Logger.Level.WARNING, "step {0}: loss or gradient not finite, update skipped", step + 1);
                    listener.onSkippedStep(new TrainingProgress(step + 1, totalSteps, epoch, Double.NaN,
                            factor * (headOnly ? config.headLearningRate() : config.learningRate()),
                            samplesSeen / trainSeconds, tokensSeen / trainSeconds, skippedSteps));
                    if (skippedInARow > MAX_SKIPPED_IN_A_ROW) {
                        throw new IllegalStateException("training diverged: no finite loss and gradient for "
                                + skippedInARow + " steps in a row up to step " + (step + 1) + " (epoch " + epoch
                                + ", batch " + batchInEpoch + "); lower the learning rate or check the data");
                    }
                    step++;
                    batchInEpoch++;
                    continue;
                }
                skippedInARow = 0;
                step++;
                batchInEpoch++;
                samplesSeen += batch.length;
                for (int i : batch) {
                    tokensSeen += lengths[i];
                }
                epochLossSum += loss;
                epochLossCount++;
                losses.add(loss);
                listener.onStep(new TrainingProgress(step, totalSteps, epoch, loss,
                        factor * (headOnly ? config.headLearningRate() : config.learningRate()),
                        samplesSeen / trainSeconds, tokensSeen / trainSeconds, skippedSteps));
                if (listener.stopRequested() && (batchInEpoch < plan.size() || step < totalSteps)) {
                    stopped = true;
                    break training;
                }
            }
            // The epoch ended (or the step cap was reached inside it): evaluate, checkpoint, maybe stop early.
            boolean improved = evaluate(validationIds, validationTruth, validationCache, listener);
            boolean last = step >= totalSteps || epoch + 1 >= config.epochs();
            if (!validation.isEmpty() && config.earlyStoppingPatience() > 0
                    && evaluationsWithoutImprovement >= config.earlyStoppingPatience() && !last) {
                earlyStopped = true;
            }
            batchInEpoch = 0;
            epochLossSum = 0;
            epochLossCount = 0;
            if (listener.wantsCheckpoints()) {
                // epoch + 1: a resumed run starts with the next epoch
                epoch++;
                ModelPackage checkpoint = snapshot(true, currentMetrics());
                epoch--;
                listener.onCheckpoint(CheckpointReason.EPOCH_END, checkpoint);
                if (improved) {
                    listener.onCheckpoint(CheckpointReason.VALIDATION_IMPROVED, checkpoint.withoutTrainingState());
                }
            }
            if (earlyStopped) {
                epoch = config.epochs(); // nothing left to resume
                break;
            }
        }
        ModelPackage finalPackage = snapshot(true, currentMetrics());
        if (stopped && listener.wantsCheckpoints()) {
            listener.onCheckpoint(CheckpointReason.STOPPED, finalPackage);
        }
        ModelPackage best = bestPackage(finalPackage);
        return new TrainingResult(best, finalPackage, List.copyOf(history), step, losses, trainSeconds,
                samplesSeen / Math.max(trainSeconds, 1e-9), tokensSeen / Math.max(trainSeconds, 1e-9), stopped, earlyStopped,
                skippedSteps);
    }

    /** Forward, weighted cross-entropy, backward and AdamW through the whole network; returns the loss. */
    private double fullStep(List<long[]> ids, int[] truth, int[] batch, float[] labelWeights, float factor) {
        List<long[]> sequences = new ArrayList<>(batch.length);
        for (int i : batch) {
            sequences.add(ids.get(i));
        }
        try (NDManager stepManager = model.getNDManager().newSubManager()) {
            double loss;
            try (GradMode ignored = GradMode.on()) { // per thread, see GradMode.on
                NDArray lossArray;
                synchronized (RANDOM) {
                    seedStep();
                    NDArray logits = network.apply(TokenBatch.of(sequences).toNDList(stepManager), true)
                            .singletonOrThrow();
                    lossArray = crossEntropy(logits, targets(stepManager, truth, batch, labelWeights));
                }
                backward(lossArray);
                loss = lossArray.getFloat();
            }
            return update(stepManager, loss, factor * config.learningRate(), factor * config.headLearningRate());
        }
    }

    /** As {@link #fullStep}, through the head only, from cached sentence embeddings. */
    private double headStep(float[][] cache, int[] truth, int[] batch, float[] labelWeights, float factor) {
        int hidden = architecture.hiddenSize();
        float[] rows = new float[batch.length * hidden];
        for (int r = 0; r < batch.length; r++) {
            System.arraycopy(cache[batch[r]], 0, rows, r * hidden, hidden);
        }
        try (NDManager stepManager = model.getNDManager().newSubManager()) {
            double loss;
            try (GradMode ignored = GradMode.on()) {
                NDArray lossArray;
                synchronized (RANDOM) { // see RANDOM
                    seedStep();
                    NDArray logits = network.head(stepManager.create(rows, new Shape(batch.length, hidden)), true);
                    lossArray = crossEntropy(logits, targets(stepManager, truth, batch, labelWeights));
                }
                backward(lossArray);
                loss = lossArray.getFloat();
            }
            return update(stepManager, loss, factor * config.headLearningRate(), factor * config.headLearningRate());
        }
    }

    /**
     * Applies the step's gradients unless the loss or the gradient is not finite; then nothing is
     * applied and NaN is returned, so one bad batch cannot poison the weights.
     */
    private double update(NDManager stepManager, double loss, float encoderLr, float headLr) {
        if (!Double.isFinite(loss)) {
            optimizer.discardGradients();
            return Double.NaN;
        }
        double norm = optimizer.step(stepManager, encoderLr, headLr, config.weightDecay(), config.gradientClip());
        return Double.isFinite(norm) ? loss : Double.NaN;
    }

    /** Dropout masks are a function of (seed, step), so a resumed run draws the same ones. Called under {@link #RANDOM}. */
    private void seedStep() {
        Engine.getInstance().setRandomSeed((int) (config.seed() * 1_000_003L + step));
    }

    /** Gradients of a scalar loss into the parameters' {@code .grad}, as DJL's GradientCollector#backward does. */
    private static void backward(NDArray loss) {
        try (NDArray seed = loss.getManager().ones(loss.getShape(), loss.getDataType())) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
        }
    }

    /** Weighted mean of -log p(true label): targets hold the example's weight at its label. */
    private static NDArray crossEntropy(NDArray logits, NDArray targets) {
        return logits.logSoftmax(-1).mul(targets).sum().neg().div(targets.sum());
    }

    private NDArray targets(NDManager manager, int[] truth, int[] batch, float[] labelWeights) {
        int c = labels.size();
        float[] t = new float[batch.length * c];
        for (int r = 0; r < batch.length; r++) {
            t[r * c + truth[batch[r]]] = labelWeights[truth[batch[r]]];
        }
        return manager.create(t, new Shape(batch.length, c));
    }

    private float[] labelWeights(int[] truth) {
        int c = labels.size();
        int[] counts = new int[c];
        for (int y : truth) {
            counts[y]++;
        }
        float[] w = new float[c];
        java.util.Arrays.fill(w, 1f);
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (int n : counts) {
            min = Math.min(min, Math.max(n, 1));
            max = Math.max(max, n);
        }
        boolean balance = config.classWeights() == ClassWeights.BALANCED
                || (config.classWeights() == ClassWeights.AUTO && max > 1.5 * min);
        if (balance) {
            for (int k = 0; k < c; k++) {
                w[k] = counts[k] == 0 ? 0f : (float) truth.length / (c * counts[k]);
            }
        }
        return w;
    }

    /**
     * Sentence embeddings of every text with the (frozen) encoder, for the head strategy. Texts are
     * embedded in order of length, so a batch pads to about its own length rather than the longest text's.
     */
    private float[][] embed(List<long[]> ids) {
        int[] order = java.util.stream.IntStream.range(0, ids.size()).boxed()
                .sorted(java.util.Comparator.comparingInt(i -> ids.get(i).length))
                .mapToInt(Integer::intValue).toArray();
        float[][] out = new float[ids.size()][];
        int hidden = architecture.hiddenSize();
        try (GradMode ignored = GradMode.off()) {
            for (int start = 0; start < order.length; start += EVAL_BATCH) {
                int end = Math.min(order.length, start + EVAL_BATCH);
                List<long[]> chunk = new ArrayList<>(end - start);
                for (int i = start; i < end; i++) {
                    chunk.add(ids.get(order[i]));
                }
                try (NDManager batch = model.getNDManager().newSubManager()) {
                    float[] flat = network.encoder().apply(TokenBatch.of(chunk).toNDList(batch), false)
                            .singletonOrThrow().toFloatArray();
                    for (int i = start; i < end; i++) {
                        out[order[i]] = java.util.Arrays.copyOfRange(flat, (i - start) * hidden, (i - start + 1) * hidden);
                    }
                }
            }
        }
        return out;
    }

    /** Records the epoch's evaluation; returns true when the selection metric improved. */
    private boolean evaluate(List<long[]> validationIds, int[] validationTruth, float[][] validationCache,
            TrainingListener listener) {
        double trainLoss = epochLossCount == 0 ? Double.NaN : epochLossSum / epochLossCount;
        EvaluationMetrics metrics = null;
        boolean improved = false;
        if (!validationIds.isEmpty()) {
            float[][] probabilities = validationCache != null
                    ? headProbabilities(validationCache)
                    : Predictor.probabilities(network, model.getNDManager(), validationIds, EVAL_BATCH);
            metrics = Evaluator.score(labels, validationTruth, probabilities);
            double value = config.selectionMetric().of(metrics);
            if (config.selectionMetric().improves(value, bestMetric)) {
                improved = true;
                bestMetric = value;
                bestStep = step;
                bestEpoch = epoch + 1;
                evaluationsWithoutImprovement = 0;
                bestTrainable = exportTrainable();
                bestMetrics = toMap(metrics);
            } else {
                evaluationsWithoutImprovement++;
            }
        }
        EpochMetrics record = new EpochMetrics(epoch, step, trainLoss, metrics);
        history.add(record);
        listener.onEvaluation(record);
        return improved;
    }

    private float[][] headProbabilities(float[][] embeddings) {
        int hidden = architecture.hiddenSize();
        int c = labels.size();
        float[] rows = new float[embeddings.length * hidden];
        for (int r = 0; r < embeddings.length; r++) {
            System.arraycopy(embeddings[r], 0, rows, r * hidden, hidden);
        }
        try (GradMode ignored = GradMode.off(); NDManager batch = model.getNDManager().newSubManager()) {
            float[] flat = network.head(batch.create(rows, new Shape(embeddings.length, hidden)), false)
                    .softmax(-1).toFloatArray();
            float[][] out = new float[embeddings.length][];
            for (int r = 0; r < out.length; r++) {
                out[r] = java.util.Arrays.copyOfRange(flat, r * c, (r + 1) * c);
            }
            return out;
        }
    }

    private Map<String, Double> currentMetrics() {
        if (history.isEmpty() || history.get(history.size() - 1).validation() == null) {
            return Map.of();
        }
        return toMap(history.get(history.size() - 1).validation());
    }

    private static Map<String, Double> toMap(EvaluationMetrics m) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("accuracy", m.accuracy());
        out.put("macro_f1", m.macroF1());
        out.put("log_loss", m.logLoss());
        out.put("ece", m.expectedCalibrationError());
        return out;
    }

    private Map<String, FloatTensor> exportTrainable() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        for (AdamW.Slot s : slots) {
            NDArray a = s.parameter().getArray();
            out.put(s.name(), new FloatTensor(a.getShape().getShape(), a.toFloatArray()));
        }
        return out;
    }

    private ModelPackage snapshot(boolean withState, Map<String, Double> metrics) {
        ModelMetadata md = new ModelMetadata(ModelMetadata.FORMAT_VERSION, baseModel, architecture, labels,
                config.maxLength(), config, config.datasetVersion(), step, epoch, metrics, Instant.now().toString());
        TrainingState state = withState ? new TrainingState(step, totalSteps, epoch, batchInEpoch, epochLossSum,
                epochLossCount, bestMetric, bestStep, evaluationsWithoutImprovement, samplesSeen, tokensSeen,
                trainSeconds, List.copyOf(history), skippedSteps) : null;
        return ModelPackage.create(md, network.exportWeights(), tokenizerJson, state,
                withState ? optimizer.exportState() : null);
    }

    private ModelPackage bestPackage(ModelPackage finalPackage) {
        if (bestTrainable == null) {
            return finalPackage.withoutTrainingState();
        }
        Map<String, FloatTensor> weights = new LinkedHashMap<>(finalPackage.weights());
        weights.putAll(bestTrainable); // only trained weights changed since the best evaluation
        ModelMetadata md = new ModelMetadata(ModelMetadata.FORMAT_VERSION, baseModel, architecture, labels,
                config.maxLength(), config, config.datasetVersion(), bestStep, bestEpoch, bestMetrics, Instant.now().toString());
        return ModelPackage.create(md, weights, tokenizerJson, null, null);
    }

    private List<AdamW.Slot> trainableSlots() {
        int firstTrained = switch (config.strategy()) {
            case FULL -> -1;
            case HEAD -> Integer.MAX_VALUE;
            case LAST_N -> architecture.numLayers() - config.lastLayers();
        };
        List<AdamW.Slot> out = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : network.namedParameters().entrySet()) {
            String name = e.getKey();
            boolean head = name.startsWith("classifier.");
            boolean trained = head || firstTrained < 0 || (name.startsWith("encoder.layer.")
                    && layerOf(name) >= firstTrained);
            if (trained) {
                boolean decay = e.getValue().getType() == Parameter.Type.WEIGHT;
                out.add(new AdamW.Slot(name, e.getValue(), head, decay));
            }
        }
        return out;
    }

    private static int layerOf(String name) {
        String rest = name.substring("encoder.layer.".length());
        return Integer.parseInt(rest.substring(0, rest.indexOf('.')));
    }

    /** BERT's initialisation (normal 0.02 for matrices and embeddings, LayerNorm 1/0, biases 0), same shapes. */
    private static Map<String, FloatTensor> randomEncoder(Map<String, FloatTensor> shapes, Random random) {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        shapes.forEach((name, t) -> {
            float[] data = new float[t.data().length];
            if (name.endsWith("LayerNorm.weight")) {
                java.util.Arrays.fill(data, 1f);
            } else if (!name.endsWith("bias")) {
                data = gaussian(random, data.length);
            }
            out.put(name, new FloatTensor(t.shape(), data));
        });
        return out;
    }

    private static float[] gaussian(Random random, int n) {
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) random.nextGaussian() * INIT_STD;
        }
        return data;
    }

    @Override
    public void close() {
        try {
            optimizer.close();
        } finally {
            tokenizer.close();
            model.close();
        }
    }
}

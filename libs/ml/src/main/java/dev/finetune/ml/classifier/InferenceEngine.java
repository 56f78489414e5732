package dev.finetune.ml.classifier;

import dev.finetune.ml.packaging.ModelPackage;
import java.util.Locale;

/**
 * What runs a fine-tuned model's inference: libtorch (the engine it was trained on, {@link TextClassifier}) or ONNX
 * Runtime on its ONNX graph ({@link OnnxClassifier}). Both give the same probabilities within 1e-4
 * (OnnxExportTests); bench/predict.sh measures their speed side by side (docs/benchmarks.md).
 */
public enum InferenceEngine {
    LIBTORCH, ONNXRUNTIME;

    /** ONNX Runtime's threads per call; libtorch's are the process's ({@code ai.djl.pytorch.num_threads}). */
    private static final int ONNXRUNTIME_THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    /** The setting's spelling: {@code libtorch}, {@code onnxruntime}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #label()}; anything else is refused with the accepted values. */
    public static InferenceEngine of(String label) {
        for (InferenceEngine engine : values()) {
            if (engine.label().equals(label)) {
                return engine;
            }
        }
        throw new IllegalArgumentException("inference engine must be libtorch or onnxruntime, not " + label);
    }

    /** The package's classifier on this engine. */
    public Classifier load(ModelPackage modelPackage) {
        return switch (this) {
            case LIBTORCH -> TextClassifier.load(modelPackage);
            case ONNXRUNTIME -> OnnxClassifier.load(modelPackage, ONNXRUNTIME_THREADS);
        };
    }
}

package dev.finetune.registry.serving;

import dev.finetune.ml.classifier.Prediction;
import java.util.List;

/** What a served version predicts with and frees: a loaded classifier ({@link PackageLoader}), a stand-in in tests. */
interface Predictor {

    List<Prediction> predict(List<String> texts);

    /** Frees its native memory; called once, when no request uses it any more. */
    void close();
}

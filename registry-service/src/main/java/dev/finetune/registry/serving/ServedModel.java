package dev.finetune.registry.serving;

import dev.finetune.ml.classifier.Classifier;
import dev.finetune.ml.classifier.Prediction;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded version of a model. Requests {@link #acquire()} it before predicting and release it after; once
 * {@link #retire() retired} (unloaded to keep within {@code registry.serving.max-loaded-versions}) it accepts no
 * new request and frees its native memory when the last in-flight one has finished.
 */
public final class ServedModel {

    private final VersionPackage version;
    private final Classifier predictor;
    private final AtomicInteger users = new AtomicInteger(1); // the cache's own reference
    private volatile boolean retired;

    ServedModel(VersionPackage version, Classifier predictor) {
        this.version = version;
        this.predictor = predictor;
    }

    VersionPackage version() {
        return version;
    }

    /** False when it was retired meanwhile: the caller asks the cache again, which loads it anew. */
    boolean acquire() {
        if (retired) {
            return false;
        }
        while (true) {
            int now = users.get();
            if (now == 0) {
                return false;
            }
            if (users.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (users.decrementAndGet() == 0) {
            predictor.close();
        }
    }

    /** The classifier is for one thread at a time: concurrent requests on one version take turns. */
    public List<Prediction> predict(List<String> texts) {
        synchronized (predictor) {
            return predictor.predict(texts);
        }
    }

    void retire() {
        if (!retired) {
            retired = true;
            release();
        }
    }
}

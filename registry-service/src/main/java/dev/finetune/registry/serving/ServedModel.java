package dev.finetune.registry.serving;

import dev.finetune.ml.classifier.Prediction;
import dev.finetune.ml.classifier.TextClassifier;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded version of a model. Requests {@link #acquire()} it before predicting and release it
 * after; once {@link #retire() retired} (a newer version was swapped in) it accepts no new request
 * and frees its native memory when the last in-flight one has finished.
 */
final class ServedModel {

    private final String name;
    private final int version;
    private final TextClassifier classifier;
    private final AtomicInteger users = new AtomicInteger(1); // the server's own reference
    private volatile boolean retired;

    ServedModel(String name, int version, TextClassifier classifier) {
        this.name = name;
        this.version = version;
        this.classifier = classifier;
    }

    String name() {
        return name;
    }

    int version() {
        return version;
    }

    /** False when it was retired meanwhile: the caller takes the current model instead. */
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
            classifier.close();
        }
    }

    /** The classifier is for one thread at a time: concurrent requests on one version take turns. */
    List<Prediction> predict(List<String> texts) {
        synchronized (classifier) {
            return classifier.predict(texts);
        }
    }

    void retire() {
        if (!retired) {
            retired = true;
            release();
        }
    }
}

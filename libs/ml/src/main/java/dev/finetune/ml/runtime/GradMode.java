package dev.finetune.ml.runtime;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Switches PyTorch's autograd off for the current thread and restores it on close. Autograd mode is
 * thread-local in libtorch and on by default on new threads, so inference and optimizer updates say so.
 */
public final class GradMode implements AutoCloseable {

    private final boolean previous;

    private GradMode(boolean enabled) {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    public static GradMode off() {
        return new GradMode(false);
    }

    /**
     * Records operations for autograd on the current thread. Unlike DJL's {@code GradientCollector}, which
     * allows one collector per process and throws for a second one on another thread, this is per thread:
     * runs on several threads each record their own steps.
     */
    public static GradMode on() {
        return new GradMode(true);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}

package dev.finetune.registry.serving;

/**
 * A version that could not be loaded within {@code registry.serving.load-timeout}: still loading, or its package
 * cannot be read now (the store away, the object missing). It passes by itself or by fixing the store, so predict
 * answers 503 with Retry-After.
 */
public class ModelUnavailable extends RuntimeException {

    public ModelUnavailable(VersionPackage version, String why, Throwable cause) {
        super(version + " is not loaded: " + why, cause);
    }
}

package dev.finetune.registry.domain;

/**
 * Loads a version for serving before an alias moves to it, so a client that calls predict the moment it hears
 * of the move finds the version loaded on the instance that moved it. The registry calls it inside the move's
 * transaction, before the alias and its event are written; serving implements it.
 */
public interface VersionPreloader {

    /**
     * Returns once the version is loaded and its package verified, waiting up to 50 s (longer than a predict request
     * may; under the move's transaction timeout). Throws {@link PackageUnverified} when its checksum fails, and
     * another runtime exception when it cannot be loaded now (the store is away, the object is missing, or loading
     * takes longer).
     */
    void preload(ModelVersion version);
}

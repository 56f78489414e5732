package dev.finetune.registry.serving;

import dev.finetune.registry.domain.ModelVersion;

/**
 * A model version as serving knows it: what to load and the checksum it must have. The checksum is part of the
 * identity, so a version loaded inside a move that was then rolled back can never answer for another package
 * that later gets the same version number.
 */
public record VersionPackage(String model, int version, String packageUri, String packageSha256) {

    public static VersionPackage of(ModelVersion version) {
        return new VersionPackage(version.modelName, version.version, version.packageUri, version.packageSha256);
    }

    @Override
    public String toString() {
        return model + " v" + version;
    }
}

package dev.finetune.registry.serving;

import dev.finetune.ml.classifier.Classifier;
import dev.finetune.ml.classifier.InferenceEngine;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.registry.config.RegistrySettings;
import dev.finetune.registry.domain.PackageUnverified;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Downloads a version's package, checks its SHA-256 against the registered one, and loads its classifier on the
 * configured inference engine (refused at start when the setting names none).
 */
@Startup
@ApplicationScoped
public class PackageLoader {

    private final ArtifactStore store;
    private final InferenceEngine engine;

    public PackageLoader(ArtifactStore store, RegistrySettings settings) {
        this.store = store;
        this.engine = InferenceEngine.of(settings.serving().engine());
    }

    /** The version's classifier on the configured engine ({@code registry.serving.engine}). */
    Classifier load(VersionPackage version) {
        return engine.load(verified(version));
    }

    /**
     * The version's package as stored, once its SHA-256 is the registered one: what is served and what is exported
     * is what was evaluated.
     *
     * @throws PackageUnverified when the checksum differs
     */
    public ModelPackage verified(VersionPackage version) {
        byte[] bytes = store.read(ObjectUri.parse(version.packageUri()));
        String sha256 = sha256(bytes);
        if (!sha256.equals(version.packageSha256())) {
            throw new PackageUnverified(version.model(), version.version(), sha256, version.packageSha256());
        }
        try {
            return ModelPackage.readFrom(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the package of " + version + " (" + version.packageUri()
                    + "): " + e.getMessage(), e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.finetune.evaluation.scoring;

import dev.finetune.evaluation.config.EvaluationSettings;
import dev.finetune.ml.classifier.Classifier;
import dev.finetune.ml.classifier.InferenceEngine;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Downloads a model package and checks the sha256 of its bytes against what the event promised before anything
 * reads it: a package that was changed, truncated or swapped is refused with both checksums in the reason.
 * The bytes go to a temporary file, not the heap, so a large package is held once (as the parsed package).
 */
@Startup // refuses an unknown evaluation.engine at start
@ApplicationScoped
public class PackageLoader {

    private final ArtifactStore store;
    private final InferenceEngine engine;

    public PackageLoader(ArtifactStore store, EvaluationSettings settings) {
        this.store = store;
        this.engine = InferenceEngine.of(settings.engine());
    }

    /** The package's classifier on the configured engine ({@code evaluation.engine}), as registry-service serves it. */
    public Classifier classifier(String what, String uri, String expectedSha256) {
        return engine.load(load(what, uri, expectedSha256));
    }

    /**
     * @param what names the package in errors, e.g. {@code checkpoint} or {@code champion v3}
     */
    public ModelPackage load(String what, String uri, String expectedSha256) {
        ObjectUri objectUri;
        try {
            objectUri = ObjectUri.parse(uri);
        } catch (IllegalArgumentException e) {
            throw new EvaluationFailure(what + " URI '" + uri + "' is not an s3:// URI", e);
        }
        if (!store.exists(objectUri)) {
            throw new EvaluationFailure(what + " " + uri + " does not exist");
        }
        Path file = null;
        try {
            file = Files.createTempFile("evaluation-package-", ".zip");
            String actual;
            try (OutputStream out = Files.newOutputStream(file)) {
                actual = store.copyTo(objectUri, out);
            }
            if (!actual.equalsIgnoreCase(expectedSha256)) {
                throw new EvaluationFailure(what + " " + uri + ": sha256 mismatch (expected " + expectedSha256
                        + ", got " + actual + ")");
            }
            try (InputStream in = Files.newInputStream(file)) {
                return ModelPackage.readFrom(in);
            } catch (IOException | RuntimeException e) {
                throw new EvaluationFailure(what + " " + uri + " is not a readable model package: " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new EvaluationFailure("cannot download " + what + " " + uri + ": " + e.getMessage(), e);
        } finally {
            delete(file);
        }
    }

    private static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete temporary package " + file, e);
            }
        }
    }
}

package dev.finetune.training.runner;

import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StoredObject;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * Streams a model package into S3 through a pipe: no temporary file and no second copy of the weights
 * in memory. The upload is multipart, and the sha256 is computed on the bytes as they leave.
 */
final class CheckpointWriter {

    private CheckpointWriter() {
    }

    static StoredObject store(ArtifactStore store, String key, ModelPackage modelPackage) {
        try (PipedInputStream in = new PipedInputStream(1 << 20)) {
            PipedOutputStream out = new PipedOutputStream(in);
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try (out) {
                    modelPackage.writeTo(out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            StoredObject stored;
            try {
                stored = store.put(key, in, "application/zip");
            } finally {
                in.close(); // unblocks the writer if the upload failed half way
            }
            writer.join();
            return stored;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store checkpoint " + key, e);
        }
    }
}

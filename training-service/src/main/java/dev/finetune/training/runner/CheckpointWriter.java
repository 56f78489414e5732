package dev.finetune.training.runner;

import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Streams a model package into S3 through a pipe: no temporary file and no second copy of the weights
 * in memory. The upload is multipart, and the sha256 is computed on the bytes as they leave.
 */
final class CheckpointWriter {

    /** 1 MiB chunks, 8 in flight: the writer runs at most 8 MiB ahead of the upload. */
    private static final int CHUNK = 1 << 20;
    private static final int CHUNKS_IN_FLIGHT = 8;

    private CheckpointWriter() {
    }

    static StoredObject store(ArtifactStore store, String key, ModelPackage modelPackage) {
        ChunkPipe pipe = new ChunkPipe(CHUNK, CHUNKS_IN_FLIGHT);
        CompletableFuture<Void> written = new CompletableFuture<>();
        // A thread of its own: the common pool has one worker on 2 cores, and the upload may need it.
        Thread writer = new Thread(() -> {
            try {
                OutputStream out = pipe.output();
                modelPackage.writeTo(out);
                out.close(); // only now the end of the stream: a failure above must not look like one
                written.complete(null);
            } catch (Throwable e) {
                written.completeExceptionally(e); // first: the upload's failure that follows is this one
                pipe.abort(e);
            }
        }, "checkpoint-writer");
        writer.setDaemon(true);
        writer.start();
        StoredObject stored;
        try (InputStream in = pipe.input()) { // closing it unblocks the writer if the upload failed half way
            stored = store.put(key, in, "application/zip");
        } catch (IOException | RuntimeException e) {
            // A package that could not be written is not a storage outage: it must not be retried as one.
            if (written.isCompletedExceptionally()) {
                throw writeFailure(key, written);
            }
            throw e instanceof IOException io ? new UncheckedIOException("cannot store checkpoint " + key, io)
                    : (RuntimeException) e;
        }
        if (written.isCompletedExceptionally()) {
            throw writeFailure(key, written);
        }
        written.join(); // already complete: the upload read the stream to its end
        return stored;
    }

    private static IllegalStateException writeFailure(String key, CompletableFuture<Void> written) {
        try {
            written.join();
            return new IllegalStateException("cannot write checkpoint " + key);
        } catch (CompletionException e) {
            return new IllegalStateException("cannot write checkpoint " + key + ": " + e.getCause(), e.getCause());
        }
    }
}

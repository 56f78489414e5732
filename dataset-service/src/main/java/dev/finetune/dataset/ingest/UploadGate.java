package dev.finetune.dataset.ingest;

import dev.finetune.dataset.config.DatasetConfig;
import dev.finetune.support.limit.ConcurrencyLimit;
import jakarta.inject.Singleton;

/**
 * Bounds the uploads one instance takes at once ({@code dataset.upload.max-concurrent}, 1 to 100). Each upload
 * holds a worker thread and up to {@code dataset.upload.max-bytes} of spool and build files on local disk for as
 * long as its client takes to send, so a burst of slow clients must not fill the disk or the worker pool.
 */
@Singleton
public class UploadGate extends ConcurrencyLimit {

    public UploadGate(DatasetConfig config) {
        super("dataset.upload.max-concurrent", config.upload().maxConcurrent(), 100);
    }
}

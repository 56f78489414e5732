package dev.finetune.dataset.preparation;

import dev.finetune.dataset.split.Split;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** A stored version read back from S3 through its manifest, split by split, as a build's previous version. */
final class StoredPreviousVersion implements PreviousVersion {

    private final ArtifactStore store;
    private final Manifest manifest;

    StoredPreviousVersion(ArtifactStore store, Manifest manifest) {
        this.store = store;
        this.manifest = manifest;
    }

    @Override
    public int version() {
        return manifest.version();
    }

    @Override
    public List<String> labels() {
        return manifest.labels();
    }

    @Override
    public Map<String, Long> labelCounts() {
        return manifest.statistics().perLabel();
    }

    @Override
    public String contentSha256() {
        return manifest.contentSha256();
    }

    @Override
    public void forEachExample(ExampleSink sink) {
        for (Split split : Split.values()) {
            Manifest.StoredFile file = manifest.splits().get(split.code());
            try (InputStream in = store.open(ObjectUri.parse(file.uri()))) {
                SplitFiles.read(in, split, sink);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file.uri() + " failed", e);
            }
        }
    }
}

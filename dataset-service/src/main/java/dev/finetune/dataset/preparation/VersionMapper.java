package dev.finetune.dataset.preparation;

import dev.finetune.dataset.domain.DatasetVersion;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventMeta;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one place a manifest becomes a database row or a {@code datasets.prepared} event. */
public final class VersionMapper {

    public static final String PRODUCER = "dataset-service";

    private VersionMapper() {
    }

    public static DatasetVersion row(Manifest manifest, String manifestUri) {
        DatasetVersion row = new DatasetVersion();
        row.dataset = manifest.dataset();
        row.version = manifest.version();
        row.createdAt = manifest.createdAt();
        row.source = manifest.source();
        row.mode = manifest.mode();
        row.contentSha256 = manifest.contentSha256();
        row.manifestUri = manifestUri;
        row.examples = manifest.statistics().examples();
        row.manifest = EventCodec.encode(manifest);
        return row;
    }

    public static Manifest manifest(DatasetVersion row) {
        return EventCodec.decode(row.manifest, Manifest.class);
    }

    /**
     * The event announcing a version, with the team that owns the data set; the correlation id ({@code name-vN})
     * follows it downstream.
     */
    public static DatasetPrepared event(Manifest manifest, String team, String manifestUri) {
        Map<String, DatasetPrepared.SplitRef> splits = new LinkedHashMap<>();
        manifest.splits().forEach((name, file) ->
                splits.put(name, new DatasetPrepared.SplitRef(file.uri(), file.sha256(), Math.toIntExact(file.examples()))));
        return new DatasetPrepared(EventMeta.next(PRODUCER, manifest.dataset() + "-v" + manifest.version()),
                manifest.dataset(), team, manifest.version(), manifestUri, splits, manifest.labels(), manifest.contentSha256());
    }
}

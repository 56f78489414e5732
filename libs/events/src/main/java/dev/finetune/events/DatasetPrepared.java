package dev.finetune.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A data set version was validated, split and stored: the signal that starts training.
 * Topic {@link Topics#DATASETS_PREPARED}, key: data set name.
 *
 * @param dataset data set name
 * @param team the team that owns the data set (and every model trained from it): only its members (and
 *        administrators) contribute to and approve them
 * @param version data set version number, 1-based, immutable once prepared
 * @param manifestUri {@code s3://} URI of the version's manifest (checksums, statistics, lineage)
 * @param splits the stored splits by name ({@code train}, {@code validation}, {@code test})
 * @param labels the label set, in the order of the label map
 * @param contentSha256 checksum of the version's content, equal for equal content
 */
public record DatasetPrepared(
        UUID eventId, Instant occurredAt, int schemaVersion, String producer, String correlationId,
        String dataset, String team, int version, String manifestUri, Map<String, SplitRef> splits, List<String> labels,
        String contentSha256) implements PlatformEvent {

    public DatasetPrepared {
        EventMeta.check(eventId, occurredAt, schemaVersion, producer, correlationId);
        Require.present(dataset, "dataset");
        Require.present(team, "team");
        Require.positive(version, "version");
        Require.present(manifestUri, "manifestUri");
        Require.notEmpty(splits, "splits");
        Require.notEmpty(labels, "labels");
        Require.present(contentSha256, "contentSha256");
        splits = Map.copyOf(splits);
        labels = List.copyOf(labels);
    }

    public DatasetPrepared(EventMeta meta, String dataset, String team, int version, String manifestUri,
                           Map<String, SplitRef> splits, List<String> labels, String contentSha256) {
        this(meta.eventId(), meta.occurredAt(), meta.schemaVersion(), meta.producer(), meta.correlationId(),
                dataset, team, version, manifestUri, splits, labels, contentSha256);
    }

    @Override
    public String key() {
        return dataset;
    }

    @Override
    public String topic() {
        return Topics.DATASETS_PREPARED;
    }

    /** One stored split: where it is, its checksum and how many examples it holds. */
    public record SplitRef(String uri, String sha256, int examples) {
        public SplitRef {
            Require.present(uri, "splits.uri");
            Require.present(sha256, "splits.sha256");
        }
    }
}

package dev.finetune.dataset.preparation;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a version, stored next to its splits and in the database: where every object is
 * with its checksum, the label map, statistics, the validation report and the lineage.
 *
 * @param source {@code upload} or {@code labels.ingest}
 * @param mode {@code append} (previous version plus new rows) or {@code replace}
 * @param labels the label map: a label's index is its position
 */
public record Manifest(String dataset, int version, Instant createdAt, String source, String mode,
                       String contentSha256, Map<String, StoredFile> splits, StoredFile quarantine,
                       List<String> labels, Statistics statistics, ValidationReport validation, Lineage lineage) {

    /** One stored object. {@code examples} counts rows (examples, or quarantined rows). */
    public record StoredFile(String uri, String sha256, long bytes, long examples) {
    }

    /** What the version was built from. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Lineage(Integer previousVersion, String previousManifestUri, Upload upload, List<KafkaRange> kafka) {
    }

    /** The uploaded body as received (before decompression). */
    public record Upload(String format, boolean gzip, String sha256, long bytes, long rows) {
    }

    /** The Kafka records a streamed version consumed from one partition. */
    public record KafkaRange(String topic, int partition, long fromOffset, long toOffset, long records) {
    }
}

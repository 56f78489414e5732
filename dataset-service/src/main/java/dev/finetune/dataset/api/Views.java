package dev.finetune.dataset.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.finetune.dataset.domain.DatasetVersion;
import dev.finetune.dataset.preparation.Manifest;
import dev.finetune.dataset.preparation.Statistics;
import dev.finetune.dataset.preparation.ValidationReport;
import dev.finetune.dataset.preparation.VersionMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the REST API returns; built from the manifest so the API, S3 and the event say the same. */
public final class Views {

    private Views() {
    }

    /** A data set with its owning team, its trigger settings and what is waiting. */
    public record DatasetView(String name, String team, Instant createdAt, Integer latestVersion, int versions, long pending,
                              TriggerView trigger, String lastFailure, List<String> referencedBy,
                              Map<String, String> links) {
    }

    /** Trigger settings: N, M and T (ISO-8601 duration). */
    public record TriggerView(Integer newExamples, Integer partialExamples, String partialAfter) {
    }

    /** A version in a list. */
    public record VersionSummary(String dataset, int version, Instant createdAt, String source, String mode,
                                 long examples, String contentSha256, String manifestUri, Map<String, String> links) {
    }

    /** A version in full: counts, checksums, labels, statistics, the validation report and lineage. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VersionView(Boolean created, String message, String dataset, int version, Instant createdAt,
                              String source, String mode, long examples, Map<String, Long> perSplit,
                              Map<String, Long> perLabel, List<String> labels, String contentSha256,
                              String manifestUri, Map<String, Manifest.StoredFile> splits,
                              Manifest.StoredFile quarantine, Statistics statistics, ValidationReport validation,
                              Manifest.Lineage lineage, Map<String, String> links) {
    }

    static VersionView version(DatasetVersion row, Boolean created, String message, ValidationReport attempt) {
        Manifest m = VersionMapper.manifest(row);
        return new VersionView(created, message, m.dataset(), m.version(), m.createdAt(), m.source(), m.mode(),
                m.statistics().examples(), m.statistics().perSplit(), m.statistics().perLabel(), m.labels(),
                m.contentSha256(), row.manifestUri, m.splits(), m.quarantine(), m.statistics(),
                attempt != null ? attempt : m.validation(), m.lineage(), links(m.dataset(), m.version()));
    }

    static VersionSummary summary(DatasetVersion row) {
        return new VersionSummary(row.dataset, row.version, row.createdAt, row.source, row.mode, row.examples,
                row.contentSha256, row.manifestUri, links(row.dataset, row.version));
    }

    static Map<String, String> links(String dataset, int version) {
        String base = "/datasets/" + dataset + "/versions/" + version;
        Map<String, String> links = new LinkedHashMap<>();
        links.put("self", base);
        links.put("report", base + "/report");
        links.put("train", base + "/splits/train");
        links.put("validation", base + "/splits/validation");
        links.put("test", base + "/splits/test");
        links.put("quarantine", base + "/quarantine");
        return links;
    }
}

package dev.finetune.dataset.preparation;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What validation found in one version's input: rows accepted and rejected (by reason, with the first
 * rejected rows as samples; all of them are in the quarantine object), and how the labels moved against the
 * previous version.
 *
 * @param totalVariationDistance half the L1 distance between this version's label distribution and the
 *     previous one's (0: identical, 1: disjoint); null for a first version
 * @param distributionShift whether that distance exceeds {@code dataset.validation.shift-warning}
 */
public record ValidationReport(long rowsRead, long accepted, long rejected, Map<String, Long> rejectedByReason,
                               List<Rejection> samples, List<String> labelsAdded, List<String> labelsRemoved,
                               Double totalVariationDistance, boolean distributionShift, List<String> warnings) {

    /** One quarantined row: where it was (line of an upload, or Kafka partition and offset) and why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Rejection(Long line, Integer partition, Long offset, String reason, String detail) {
    }
}

package dev.finetune.dataset.ingest;

import dev.finetune.dataset.validation.RejectReason;

/**
 * One row as read from an upload or from {@code labels.ingest}, before validation decides its fate.
 *
 * @param partition the Kafka partition it came from, or -1 for an upload
 * @param position the 1-based line of the upload (first line of a multi-line CSV record), or the Kafka offset
 * @param rejected set when reading already found it unusable (bad UTF-8, wrong shape); null otherwise
 * @param detail words about {@code rejected}, e.g. where the bad byte is
 */
public record RawRow(int partition, long position, String text, String label, String sourceId,
                     RejectReason rejected, String detail) {

    public static RawRow upload(long line, String text, String label, String sourceId) {
        return new RawRow(-1, line, text, label, sourceId, null, null);
    }

    public static RawRow rejectedUpload(long line, String text, String label, RejectReason reason, String detail) {
        return new RawRow(-1, line, text, label, null, reason, detail);
    }

    public static RawRow kafka(int partition, long offset, String text, String label, String sourceId) {
        return new RawRow(partition, offset, text, label, sourceId, null, null);
    }

    public boolean fromKafka() {
        return partition >= 0;
    }
}

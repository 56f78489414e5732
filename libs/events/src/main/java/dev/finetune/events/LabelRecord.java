package dev.finetune.events;

/**
 * One labelled example streaming in from an MLOps pipeline. Topic {@link Topics#LABELS_INGEST},
 * key: data set name. Deliberately envelope-free: it is raw input, not a platform event; the data set
 * version it lands in records its topic, partition and offset as lineage.
 *
 * @param sourceId optional id of the example in the sender's system, kept for lineage
 */
public record LabelRecord(String text, String label, String sourceId) {
}

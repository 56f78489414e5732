package dev.finetune.registry.batch;

/**
 * One row of a batch prediction's input.
 *
 * @param row  its 1-based position among the input's rows (blank lines and a CSV header are not rows)
 * @param line the line of the input it starts on, for messages about it
 * @param id   the row's {@code id} field or column, when it has one
 */
record BatchRow(long row, long line, String id, String text) {
}

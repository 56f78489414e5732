package dev.finetune.dataset.ingest;

/**
 * Rows read one at a time from a stream; nothing is held beyond the current row.
 * {@link #next()} throws {@link dev.finetune.dataset.validation.FatalProblem} when the input as a whole is
 * unusable (not JSON, wrong header, binary).
 */
public interface RowSource extends AutoCloseable {

    /** The next row, or null at the end. */
    RawRow next();

    /** Rows read so far, including rejected ones. */
    long rowsRead();

    @Override
    void close();
}

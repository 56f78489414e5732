package dev.finetune.registry.batch;

/**
 * A batch prediction's input cannot be read as its format says, or breaks a bound: the job fails with this reason,
 * which names the line, and stores no output. Retrying would meet the same row, so it is never retried.
 */
final class BadInput extends RuntimeException {

    BadInput(long line, String detail) {
        super("line " + line + ": " + detail);
    }

    BadInput(long line, String detail, Throwable cause) {
        super("line " + line + ": " + detail, cause);
    }
}

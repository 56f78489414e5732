package dev.finetune.storage;

/**
 * The object (or its bucket) does not exist. Unlike other {@link StorageException}s this is not an outage:
 * asking again will not make it appear, so callers that retry storage failures must not retry this one.
 */
public class MissingObjectException extends StorageException {

    public MissingObjectException(String message, Throwable cause) {
        super(message, cause);
    }
}

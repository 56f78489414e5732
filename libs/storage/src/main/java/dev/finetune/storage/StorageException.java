package dev.finetune.storage;

/** An artifact-store operation failed; the message names the operation and the object. */
public class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}

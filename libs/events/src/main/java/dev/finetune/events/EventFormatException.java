package dev.finetune.events;

/** A record value that is not a valid event of the expected type; consumers dead-letter it with this message. */
public class EventFormatException extends RuntimeException {

    public EventFormatException(String message) {
        super(message);
    }

    public EventFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.finetune.support.retry;

import java.time.Duration;

/**
 * A record still failing transiently after {@code consumer.retry.max-duration}: it goes to the dead-letter
 * topic with a reason starting {@value #REASON}, which tells it from poison, so an operator re-drives it once
 * the outage is over (docs/operations.md#dead-letter-topics).
 */
public class TransientFaultsExhausted extends RuntimeException {

    /** The first word of the dead-letter reason of such a record. */
    public static final String REASON = "transient-exhausted";

    public TransientFaultsExhausted(String consumer, Duration retriedFor, Throwable last) {
        super(REASON + ": " + consumer + " still failing after retrying for " + retriedFor + ": " + last.getMessage(),
                last);
    }
}

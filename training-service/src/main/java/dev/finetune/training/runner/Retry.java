package dev.finetune.training.runner;

import dev.finetune.storage.MissingObjectException;
import dev.finetune.storage.StorageException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Retries work against S3: an object store that is briefly away (a restart, a network blip) must not
 * fail a run that took an hour to train. Gives up after {@link #GIVE_UP}. A missing object is not an
 * outage: it fails at once, with the storage error as the run's reason.
 */
final class Retry {

    private static final Logger LOG = Logger.getLogger(Retry.class);
    static final Duration GIVE_UP = Duration.ofMinutes(3);

    private Retry() {
    }

    /** Runs {@code work}, retrying with backoff while it fails; {@code what} names the work in the log. */
    static <T> T storage(String what, Supplier<T> work) {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        long backoffMillis = 500;
        while (true) {
            try {
                return work.get();
            } catch (StorageException | UncheckedIOException e) { // a bad split or package is not retried
                if (e instanceof MissingObjectException || System.nanoTime() + backoffMillis * 1_000_000 > deadline) {
                    throw e;
                }
                LOG.warnf("storage unavailable while %s (%s); retrying in %d ms", what, e.getMessage(), backoffMillis);
                try {
                    Thread.sleep(backoffMillis); // backoff between attempts: there is no event to await
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoffMillis = Math.min(backoffMillis * 2, 10_000);
            }
        }
    }
}

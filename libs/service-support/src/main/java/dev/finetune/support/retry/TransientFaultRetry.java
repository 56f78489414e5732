package dev.finetune.support.retry;

import dev.finetune.support.metrics.ConsumerMetrics;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Runs a {@link RetryTransientFaults} method under one SmallRye Fault Tolerance guard: retry while
 * {@link TransientFaults} says the failure is transient, exponential backoff from
 * {@code consumer.retry.initial-delay} to {@code max-delay} with jitter, for at most {@code max-duration}.
 * The retry waits on the consumer's worker thread, so the record stays unacknowledged (its offset is not
 * committed) and the connector's poll thread keeps polling with the partition paused: the consumer stays in
 * its group. Meanwhile {@link RetryingConsumers} holds the invocation, and readiness is DOWN. Runs outside
 * {@code @Transactional} (a lower priority is an outer interceptor), so every attempt has a transaction of its own.
 * Retries, and for a connector's method the record's outcome, are counted in {@link ConsumerMetrics}.
 */
@RetryTransientFaults
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 100)
public class TransientFaultRetry {

    private static final Logger LOG = Logger.getLogger(TransientFaultRetry.class);

    private final Guard guard;
    private final Duration maxDuration;
    private final RetryingConsumers retrying;
    private final ConsumerMetrics metrics;

    public TransientFaultRetry(ConsumerRetrySettings settings, RetryingConsumers retrying, ConsumerMetrics metrics) {
        this.maxDuration = settings.maxDuration();
        this.retrying = retrying;
        this.metrics = metrics;
        this.guard = Guard.create()
                .withDescription("consumer retry of transient faults")
                .withRetry()
                .maxRetries(-1) // bounded by time, not by count
                .maxDuration(settings.maxDuration().toMillis(), ChronoUnit.MILLIS)
                .delay(settings.initialDelay().toMillis(), ChronoUnit.MILLIS)
                .jitter(settings.jitter().toMillis(), ChronoUnit.MILLIS)
                .whenException(TransientFaults::isTransient)
                .withExponentialBackoff().factor(2).maxDelay(settings.maxDelay().toMillis(), ChronoUnit.MILLIS).done()
                .done()
                .build();
    }

    @AroundInvoke
    Object retry(InvocationContext context) throws Exception {
        String consumer = context.getMethod().getDeclaringClass().getSimpleName() + "." + context.getMethod().getName();
        // A method of the connector's (@Incoming) handles one record: what it makes of it is counted here, where
        // the outcome is known (its exception goes to the channel's dead-letter strategy).
        boolean oneRecord = context.getMethod().isAnnotationPresent(Incoming.class);
        Object token = new Object();
        try {
            Object result = guard.call(() -> {
                try {
                    return context.proceed();
                } catch (Exception e) {
                    if (TransientFaults.isTransient(e)) {
                        retrying.failedTransiently(token, consumer, e);
                        metrics.retried(consumer);
                        LOG.warnf("%s failed transiently, retrying (at most %s in all): %s", consumer, maxDuration,
                                e.getMessage());
                    }
                    throw e;
                }
            }, Object.class);
            if (oneRecord) {
                metrics.processed(consumer, 1);
            }
            return result;
        } catch (Exception e) {
            if (oneRecord) {
                metrics.deadLettered(consumer, 1);
            }
            if (TransientFaults.isTransient(e)) {
                LOG.errorf("%s still failing after %s, dead-lettered as %s: %s", consumer, maxDuration,
                        TransientFaultsExhausted.REASON, e.getMessage());
                throw new TransientFaultsExhausted(consumer, maxDuration, e);
            }
            throw e;
        } finally {
            retrying.ended(token);
        }
    }
}

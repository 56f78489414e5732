package dev.finetune.support.retry;

import io.smallrye.faulttolerance.api.Guard;
import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.jboss.logging.Logger;

/**
 * Runs a {@link RetryTransientFaults} method under one SmallRye Fault Tolerance guard: retry while
 * {@link TransientFaults} says the failure is transient, exponential backoff from
 * {@code consumer.retry.initial-delay} to {@code max-delay} with jitter, for at most {@code max-duration}.
 * The retry waits on the consumer's worker thread, so the record stays unacknowledged (its offset is not
 * committed) and the connector's poll thread keeps polling with the partition paused: the consumer stays in
 * its group. Meanwhile {@link RetryingConsumers} holds the invocation, and readiness is DOWN. Runs outside
 * {@code @Transactional} (a lower priority is an outer interceptor), so every attempt has a transaction of its own.
 */
@RetryTransientFaults
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 100)
public class TransientFaultRetry {

    private static final Logger LOG = Logger.getLogger(TransientFaultRetry.class);

    private final Guard guard;
    private final Duration maxDuration;
    private final RetryingConsumers retrying;

    public TransientFaultRetry(ConsumerRetrySettings settings, RetryingConsumers retrying) {
        this.maxDuration = settings.maxDuration();
        this.retrying = retrying;
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
        Object token = new Object();
        try {
            return guard.call(() -> {
                try {
                    return context.proceed();
                } catch (Exception e) {
                    if (TransientFaults.isTransient(e)) {
                        retrying.failedTransiently(token, consumer, e);
                        LOG.warnf("%s failed transiently, retrying (at most %s in all): %s", consumer, maxDuration,
                                e.getMessage());
                    }
                    throw e;
                }
            }, Object.class);
        } catch (Exception e) {
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

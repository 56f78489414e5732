package dev.finetune.support.retry;

import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The method's work is retried while it fails transiently ({@link TransientFaults}), with exponential backoff,
 * for at most {@code consumer.retry.max-duration}; a poison failure is thrown at once. Put it on a consumer
 * method whose whole work may run again (it is idempotent), outside its transaction: each attempt gets a new one.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RetryTransientFaults {
}

package dev.finetune.support.retry;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A consumer of test classes: each call counts an attempt and throws whatever the test scripted for it. State is
 * reached through methods: a test holds the client proxy, whose own fields are not the bean's.
 */
@ApplicationScoped
public class RetryProbe {

    private final AtomicInteger attempts = new AtomicInteger();
    private volatile Supplier<RuntimeException> failure = () -> null;

    @RetryTransientFaults
    public String consume(String record) {
        attempts.incrementAndGet();
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
        return "applied " + record;
    }

    public void failWith(Supplier<RuntimeException> failure) {
        this.failure = failure;
    }

    public int attempts() {
        return attempts.get();
    }

    public void reset() {
        failure = () -> null;
        attempts.set(0);
    }
}

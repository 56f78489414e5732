package dev.finetune.support.retry;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness check {@value #NAME}: DOWN while any consumer is waiting out a transient fault (its record is
 * neither applied nor committed yet), with the consumer, since when and the last fault; UP otherwise.
 */
@Readiness
@ApplicationScoped
public class ConsumersRetryingCheck implements HealthCheck {

    public static final String NAME = "consumers-retrying";

    private final RetryingConsumers retrying;

    public ConsumersRetryingCheck(RetryingConsumers retrying) {
        this.retrying = retrying;
    }

    @Override
    public HealthCheckResponse call() {
        Map<String, RetryingConsumers.Waiting> now = retrying.now();
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).status(now.isEmpty());
        now.forEach((consumer, w) -> response.withData(consumer, "retrying since " + w.since() + ": " + w.fault()));
        return response.build();
    }
}

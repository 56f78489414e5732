package dev.finetune.training.health;

import dev.finetune.training.config.TrainingSettings;
import dev.finetune.training.domain.RunStore;
import dev.finetune.training.runner.RunExecutor;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * DOWN when a run executing here has made no step for {@code training.stall-timeout}: a stuck
 * instance is taken out of rotation (and, by its orchestrator, restarted; the run resumes elsewhere).
 */
@Readiness
@ApplicationScoped
public class TrainingProgressCheck implements HealthCheck {

    private final RunStore runs;
    private final RunExecutor executor;
    private final TrainingSettings settings;

    public TrainingProgressCheck(RunStore runs, RunExecutor executor, TrainingSettings settings) {
        this.runs = runs;
        this.executor = executor;
        this.settings = settings;
    }

    @Override
    public HealthCheckResponse call() {
        long stalled = runs.stalled(executor.owner(), settings.stallTimeout());
        return HealthCheckResponse.named("training-progress")
                .status(stalled == 0)
                .withData("executing", executor.executing().size())
                .withData("stalled", stalled)
                .build();
    }
}

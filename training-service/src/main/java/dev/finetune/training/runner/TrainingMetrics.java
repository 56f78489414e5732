package dev.finetune.training.runner;

import dev.finetune.ml.train.TrainingProgress;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Prometheus metrics of training: queued and running runs across the group (what ops scale on),
 * failures, and the speed and loss of the runs executing here.
 */
@ApplicationScoped
public class TrainingMetrics {

    private final Map<UUID, TrainingProgress> current = new ConcurrentHashMap<>();
    private final AtomicReference<Map<RunStatus, Long>> counts = new AtomicReference<>(Map.of());
    private final Counter failures;
    private final Counter skippedSteps;

    public TrainingMetrics(MeterRegistry registry) {
        for (RunStatus status : new RunStatus[] {RunStatus.QUEUED, RunStatus.RUNNING}) {
            Gauge.builder("training_runs", counts, c -> c.get().getOrDefault(status, 0L))
                    .tag("status", status.name().toLowerCase())
                    .description("Runs in this status across every instance").register(registry);
        }
        failures = Counter.builder("training_runs_failed").description("Runs failed on this instance").register(registry);
        skippedSteps = Counter.builder("training_steps_skipped")
                .description("Steps whose update the non-finite guard skipped on this instance (0 when training is correct)")
                .register(registry);
        Gauge.builder("training_samples_per_second", current,
                m -> m.values().stream().mapToDouble(TrainingProgress::samplesPerSecond).sum())
                .description("Training speed of the runs executing on this instance").register(registry);
        Gauge.builder("training_loss", current,
                m -> m.values().stream().mapToDouble(TrainingProgress::loss).average().orElse(Double.NaN))
                .description("Current training loss (mean over the runs executing here)").register(registry);
    }

    void refresh(RunStore runs) {
        counts.set(runs.countByStatus());
    }

    void stepped(UUID runId, TrainingProgress progress) {
        current.put(runId, progress);
    }

    void ended(UUID runId) {
        current.remove(runId);
    }

    void failed() {
        failures.increment();
    }

    void skippedStep() {
        skippedSteps.increment();
    }
}

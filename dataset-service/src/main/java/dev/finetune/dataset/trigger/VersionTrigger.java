package dev.finetune.dataset.trigger;

import dev.finetune.dataset.config.DatasetConfig;
import dev.finetune.dataset.domain.Dataset;
import dev.finetune.dataset.domain.DatasetLock;
import dev.finetune.dataset.domain.PendingExamples;
import dev.finetune.dataset.preparation.VersionPreparer;
import dev.finetune.dataset.validation.FatalProblem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Applies the {@link TriggerPolicy} to a data set's pending records: after each record arrives, and every
 * {@code dataset.trigger.check-interval} for the time-based rule. A build the data cannot pass yet (one
 * label, too few examples) is logged and recorded; the trigger tries again once M more records arrived.
 */
@ApplicationScoped
public class VersionTrigger {

    private static final Logger LOG = Logger.getLogger(VersionTrigger.class);

    private final DatasetConfig config;
    private final PendingExamples pending;
    private final VersionPreparer preparer;

    public VersionTrigger(DatasetConfig config, PendingExamples pending, VersionPreparer preparer) {
        this.config = config;
        this.pending = pending;
        this.preparer = preparer;
    }

    /** The settings of a data set: its own where set, the service defaults otherwise. */
    public TriggerSettings settingsOf(Dataset dataset) {
        DatasetConfig.Trigger defaults = config.trigger();
        return new TriggerSettings(
                dataset != null && dataset.triggerNewExamples != null ? dataset.triggerNewExamples
                        : defaults.newExamples(),
                dataset != null && dataset.triggerPartialExamples != null ? dataset.triggerPartialExamples
                        : defaults.partialExamples(),
                dataset != null && dataset.triggerPartialAfterSeconds != null
                        ? Duration.ofSeconds(dataset.triggerPartialAfterSeconds) : defaults.partialAfter());
    }

    @Scheduled(every = "${dataset.trigger.check-interval:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        for (String dataset : pending.datasetsWithPending()) {
            check(dataset);
        }
    }

    /** Cuts a version of the data set when the policy says so; never throws for a build that fails. */
    public void check(String dataset) {
        Dataset d = QuarkusTransaction.requiringNew().call(() -> Dataset.<Dataset>findById(dataset));
        TriggerSettings settings = settingsOf(d);
        Integer retryAt = d == null ? null : d.retryAtPending;
        int count = pending.count(dataset, TriggerPolicy.countLimit(settings, retryAt));
        Optional<String> reason = TriggerPolicy.decide(settings, count,
                count == 0 ? null : pending.oldest(dataset).orElse(null), Instant.now(), retryAt);
        if (reason.isEmpty()) {
            return;
        }
        LOG.infof("data set %s: cutting a version, %s", dataset, reason.get());
        try {
            preparer.fromPending(dataset);
        } catch (FatalProblem problem) {
            LOG.warnf("data set %s: the pending examples cannot become a version yet (%s: %s); trying again when "
                    + "more arrive", dataset, problem.reason(), problem.detail());
        } catch (DatasetLock.Busy busy) {
            LOG.debugf("data set %s: %s; the next check retries", dataset, busy.getMessage());
        } catch (RuntimeException e) {
            LOG.errorf(e, "data set %s: preparing a version from pending examples failed", dataset);
        }
    }
}

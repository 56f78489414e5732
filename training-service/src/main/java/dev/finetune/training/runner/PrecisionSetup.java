package dev.finetune.training.runner;

import dev.finetune.ml.runtime.MatmulPrecision;
import dev.finetune.ml.runtime.Precision;
import dev.finetune.training.config.TrainingSettings;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Applies {@code training.precision} once, when the instance starts and before it claims a run (observer
 * priority 1, before the executor's): libtorch keeps
 * the matmul precision for the whole process. An unknown value stops the start-up with the accepted ones.
 */
@ApplicationScoped
public class PrecisionSetup {

    private static final Logger LOG = Logger.getLogger(PrecisionSetup.class);

    void onStart(@Observes @Priority(1) StartupEvent startup, TrainingSettings settings) {
        Precision requested = Precision.of(settings.precision());
        if (requested == Precision.FP32) {
            return; // libtorch's default: no need to load the engine before the first run
        }
        Precision effective = MatmulPrecision.apply(requested);
        LOG.infof("matmul precision: %s requested, %s in effect", requested.label(), effective.label());
    }
}

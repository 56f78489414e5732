package dev.finetune.registry.serving;

import dev.finetune.registry.config.RegistrySettings;
import dev.finetune.support.limit.ConcurrencyLimit;
import jakarta.inject.Singleton;

/**
 * Bounds the predictions one instance computes at once ({@code registry.predict.max-concurrent}, 1 to 1000), so
 * a burst cannot pile up threads and memory behind a slow model.
 */
@Singleton
public class PredictGate extends ConcurrencyLimit {

    public PredictGate(RegistrySettings settings) {
        super("registry.predict.max-concurrent", settings.predict().maxConcurrent(), 1000);
    }
}

package dev.finetune.training.progress;

import dev.finetune.support.limit.ConcurrencyLimit;
import dev.finetune.training.config.TrainingSettings;
import jakarta.inject.Singleton;

/**
 * Bounds the progress streams open at once on this instance ({@code training.progress.max-streams}, 1 to 10000).
 * Each stream holds a connection for as long as its run trains; a slot frees only when a stream ends or its
 * client goes away.
 */
@Singleton
public class StreamGate extends ConcurrencyLimit {

    public StreamGate(TrainingSettings settings) {
        super("training.progress.max-streams", settings.progress().maxStreams(), 10_000);
    }
}

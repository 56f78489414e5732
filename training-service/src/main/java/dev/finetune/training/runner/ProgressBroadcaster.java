package dev.finetune.training.runner;

import dev.finetune.events.TrainingProgress;
import dev.finetune.training.domain.RunStatus;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Live progress of the runs executing here, for {@code GET /runs/{id}/events} (Server-Sent Events). */
@ApplicationScoped
public class ProgressBroadcaster {

    /** One item of the stream: a progress event, or the run's final status (then the stream ends). */
    public record Update(TrainingProgress progress, RunStatus finished) {
    }

    private final Map<UUID, BroadcastProcessor<Update>> streams = new ConcurrentHashMap<>();

    public Multi<Update> stream(UUID runId) {
        return streams.computeIfAbsent(runId, id -> BroadcastProcessor.create());
    }

    void progress(UUID runId, TrainingProgress progress) {
        BroadcastProcessor<Update> stream = streams.get(runId);
        if (stream != null) {
            stream.onNext(new Update(progress, null));
        }
    }

    void finished(UUID runId, RunStatus status) {
        BroadcastProcessor<Update> stream = streams.remove(runId);
        if (stream != null) {
            stream.onNext(new Update(null, status));
            stream.onComplete();
        }
    }
}

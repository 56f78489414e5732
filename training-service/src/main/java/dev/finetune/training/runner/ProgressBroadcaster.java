package dev.finetune.training.runner;

import dev.finetune.events.TrainingProgress;
import dev.finetune.training.domain.RunStatus;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** Live progress of the runs executing here, for {@code GET /runs/{id}/events} (Server-Sent Events). */
@ApplicationScoped
public class ProgressBroadcaster {

    /** One item of the stream: a progress event, or the run's final status (then the stream ends). */
    public record Update(TrainingProgress progress, RunStatus finished) {
    }

    private final Map<UUID, BroadcastProcessor<Update>> streams = new ConcurrentHashMap<>();

    /**
     * The run's live updates, ending with its final status. {@code currentStatus} is read once the stream is
     * open: a run that ended between the caller's own look and now would otherwise leave a stream that no end
     * ever reaches (the job announced its end to no stream), open for good.
     */
    public Multi<Update> follow(UUID runId, Supplier<RunStatus> currentStatus) {
        Multi<Update> live = streams.computeIfAbsent(runId, id -> BroadcastProcessor.create());
        RunStatus now = currentStatus.get();
        if (now.finished()) {
            finished(runId, now); // ends it for anyone else who opened it meanwhile, and forgets it
            return Multi.createFrom().item(new Update(null, now));
        }
        return live;
    }

    /** Streams open now; for tests. */
    int open() {
        return streams.size();
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

package dev.finetune.training.progress;

import dev.finetune.events.TrainingProgress;
import dev.finetune.training.domain.RunStatus;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Live progress of runs for {@code GET /runs/{id}/events} (Server-Sent Events). Fed from Kafka (messaging's
 * {@code ProgressConsumer}) and ended by the database ({@link StreamEndCheck}), never fed by the runner here:
 * every instance hears every run's progress and end whichever instance executes it, and a client sees each
 * update once.
 */
@ApplicationScoped
public class ProgressBroadcaster {

    /** One item of the stream: a progress event, or the run's final status (then the stream ends). */
    public record Update(TrainingProgress progress, RunStatus finished) {
    }

    private final Map<UUID, Followed> streams = new ConcurrentHashMap<>();

    /**
     * The run's live updates, ending with its final status. {@code currentStatus} is read once the stream is
     * open: a run that ended between the caller's own look and now would otherwise leave a stream that no end
     * ever reaches (its end event came before the stream was open), open for good.
     */
    public Multi<Update> follow(UUID runId, Supplier<RunStatus> currentStatus) {
        Followed followed = streams.computeIfAbsent(runId, id -> new Followed());
        RunStatus now = currentStatus.get();
        if (now.finished()) {
            finished(runId, now); // ends it for anyone else who opened it meanwhile, and forgets it
            return Multi.createFrom().item(new Update(null, now));
        }
        return followed.updates();
    }

    /** The runs whose streams are open now. */
    public Set<UUID> followed() {
        return Set.copyOf(streams.keySet());
    }

    public void progress(UUID runId, TrainingProgress progress) {
        Followed followed = streams.get(runId);
        if (followed != null) {
            followed.progress.onNext(progress);
        }
    }

    /** Ends the run's streams with its final status; a run nobody follows here is ignored. */
    public void finished(UUID runId, RunStatus status) {
        Followed followed = streams.remove(runId);
        if (followed != null) {
            followed.finished = status;
            followed.progress.onComplete();
        }
    }

    /**
     * One followed run. Its final status is kept, not broadcast, so that a stream subscribing after the end (the
     * endpoint returns the stream before the client's subscription reaches it) still ends with the status.
     */
    private static final class Followed {

        final BroadcastProcessor<TrainingProgress> progress = BroadcastProcessor.create();
        volatile RunStatus finished;

        Multi<Update> updates() {
            return progress.map(p -> new Update(p, null))
                    .onCompletion().switchTo(() -> Multi.createFrom().item(new Update(null, finished)));
        }
    }
}

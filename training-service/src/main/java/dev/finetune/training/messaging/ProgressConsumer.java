package dev.finetune.training.messaging;

import dev.finetune.events.EventCodec;
import dev.finetune.events.TrainingCompleted;
import dev.finetune.events.TrainingFailed;
import dev.finetune.events.TrainingProgress;
import dev.finetune.support.retry.RetryTransientFaults;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.progress.ProgressBroadcaster;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Consumes {@code training.progress}, {@code training.completed} and {@code training.failed} with consumer groups
 * of their own per instance, from the latest offset: every instance hears every run's progress and end, whichever
 * instance executes it, and feeds its open progress streams (what was sent before it listened is of no use to a
 * live stream). A record that is not a valid event throws, which sends it to this service's dead-letter topic of
 * its topic, as registry-service's per-instance promotion consumer does. Annotated {@link RetryTransientFaults}
 * like every consumer, though feeding a stream touches no database.
 */
@ApplicationScoped
public class ProgressConsumer {

    static final String PROGRESS = "stream-progress";
    static final String COMPLETED = "stream-completed";
    static final String FAILED = "stream-failed";
    /** The channels, for tests that wait until this instance listens before they send. */
    public static final List<String> CHANNELS = List.of(PROGRESS, COMPLETED, FAILED);

    private final ProgressBroadcaster broadcaster;

    public ProgressConsumer(ProgressBroadcaster broadcaster) {
        this.broadcaster = broadcaster;
    }

    @Incoming(PROGRESS)
    @Blocking
    @RetryTransientFaults
    public void progress(String value) {
        TrainingProgress event = EventCodec.decode(value, TrainingProgress.class);
        runId(event.runId()).ifPresent(run -> broadcaster.progress(run, event));
    }

    @Incoming(COMPLETED)
    @Blocking
    @RetryTransientFaults
    public void completed(String value) {
        TrainingCompleted event = EventCodec.decode(value, TrainingCompleted.class);
        runId(event.best().runId()).ifPresent(run -> broadcaster.finished(run, RunStatus.SUCCEEDED));
    }

    @Incoming(FAILED)
    @Blocking
    @RetryTransientFaults
    public void failed(String value) {
        TrainingFailed event = EventCodec.decode(value, TrainingFailed.class);
        runId(event.runId()).ifPresent(run -> broadcaster.finished(run, RunStatus.FAILED));
    }

    /**
     * The contract's run id is any string; the runs of this service are named by UUIDs, so another id names no
     * run anyone can follow here: a valid event, ignored rather than dead-lettered.
     */
    private static Optional<UUID> runId(String id) {
        try {
            return Optional.of(UUID.fromString(id));
        } catch (IllegalArgumentException notOurs) {
            return Optional.empty();
        }
    }
}

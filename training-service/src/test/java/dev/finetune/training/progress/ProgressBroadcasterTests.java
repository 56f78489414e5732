package dev.finetune.training.progress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.events.EventMeta;
import dev.finetune.events.TrainingProgress;
import dev.finetune.training.domain.RunStatus;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The progress stream of one run: followed to its end, and never left open by a run that ended meanwhile. */
class ProgressBroadcasterTests {

    private final ProgressBroadcaster broadcaster = new ProgressBroadcaster();
    private final UUID run = UUID.randomUUID();

    @Test
    void aRunThatEndedBeforeItsStreamOpenedEndsTheStreamAtOnce() {
        // The endpoint saw the run running, then the run ended (and its end event reached no stream).
        List<ProgressBroadcaster.Update> items = broadcaster.follow(run, () -> RunStatus.SUCCEEDED)
                .collect().asList().await().atMost(Duration.ofSeconds(5));

        assertThat(items).containsExactly(new ProgressBroadcaster.Update(null, RunStatus.SUCCEEDED));
        assertThat(broadcaster.followed()).as("streams left open").isEmpty();
    }

    @Test
    void aRunningRunIsFollowedToItsEnd() {
        AssertSubscriber<ProgressBroadcaster.Update> subscriber = broadcaster.follow(run, () -> RunStatus.RUNNING)
                .subscribe().withSubscriber(AssertSubscriber.create(10));
        TrainingProgress step = step(1);

        broadcaster.progress(run, step);
        broadcaster.finished(run, RunStatus.SUCCEEDED);

        subscriber.awaitCompletion(Duration.ofSeconds(5));
        assertThat(subscriber.getItems()).containsExactly(new ProgressBroadcaster.Update(step, null),
                new ProgressBroadcaster.Update(null, RunStatus.SUCCEEDED));
        assertThat(broadcaster.followed()).isEmpty();
    }

    @Test
    void aStreamSubscribedAfterItsRunEndedStillEndsWithTheStatus() {
        // The endpoint returns the stream; the end arrives before the client's subscription reaches it.
        Multi<ProgressBroadcaster.Update> stream = broadcaster.follow(run, () -> RunStatus.RUNNING);
        broadcaster.finished(run, RunStatus.FAILED);

        List<ProgressBroadcaster.Update> items = stream.collect().asList().await().atMost(Duration.ofSeconds(5));

        assertThat(items).containsExactly(new ProgressBroadcaster.Update(null, RunStatus.FAILED));
    }

    @Test
    void progressOfARunNobodyFollowsIsDropped() {
        broadcaster.progress(run, step(1));
        broadcaster.finished(run, RunStatus.SUCCEEDED);

        assertThat(broadcaster.followed()).isEmpty();
    }

    private TrainingProgress step(int step) {
        return new TrainingProgress(EventMeta.next("training-service", "reviews-v1"), run.toString(), "reviews", step,
                12, 0, 1.09, 5e-5, 40.0, 3.0, 0L);
    }
}

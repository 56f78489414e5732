package dev.finetune.training.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.events.DocumentedExamples;
import dev.finetune.events.EventFormatException;
import dev.finetune.events.Topics;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.progress.ProgressBroadcaster;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The consumer side of {@code training.progress}, {@code training.completed} and {@code training.failed} for the
 * progress streams: the documented examples are what this service reads back.
 */
class ProgressConsumerContractTests {

    /** The run of the documented progress and completion examples. */
    private static final UUID RUN = UUID.fromString("7d3f2a61-0c4e-4b8a-9f2e-5a1d3c7b9e40");

    private final ProgressBroadcaster broadcaster = new ProgressBroadcaster();
    private final ProgressConsumer consumer = new ProgressConsumer(broadcaster);

    @Test
    void theDocumentedProgressAndCompletionFollowARunToItsEnd() {
        AssertSubscriber<ProgressBroadcaster.Update> stream = broadcaster.follow(RUN, () -> RunStatus.RUNNING)
                .subscribe().withSubscriber(AssertSubscriber.create(10));

        consumer.progress(DocumentedExamples.forTopic(Topics.TRAINING_PROGRESS));
        consumer.completed(DocumentedExamples.forTopic(Topics.TRAINING_COMPLETED));

        stream.awaitCompletion(Duration.ofSeconds(5));
        assertThat(stream.getItems()).hasSize(2);
        assertThat(stream.getItems().get(0).progress().step()).isEqualTo(120);
        assertThat(stream.getItems().get(1)).isEqualTo(new ProgressBroadcaster.Update(null, RunStatus.SUCCEEDED));
    }

    @Test
    void aFailureEndsItsRunsStreamWithFailed() {
        String failed = DocumentedExamples.forTopic(Topics.TRAINING_FAILED).replace("run-91bc04", RUN.toString());
        AssertSubscriber<ProgressBroadcaster.Update> stream = broadcaster.follow(RUN, () -> RunStatus.RUNNING)
                .subscribe().withSubscriber(AssertSubscriber.create(10));

        consumer.failed(failed);

        stream.awaitCompletion(Duration.ofSeconds(5));
        assertThat(stream.getItems()).containsExactly(new ProgressBroadcaster.Update(null, RunStatus.FAILED));
    }

    @Test
    void aRunIdThatIsNoRunOfOursIsValidAndIgnored() {
        consumer.failed(DocumentedExamples.forTopic(Topics.TRAINING_FAILED)); // runId "run-91bc04"

        assertThat(broadcaster.followed()).isEmpty();
    }

    @Test
    void aRecordWithoutItsRunIdIsRefusedForTheDeadLetterTopic() {
        String withoutRun = DocumentedExamples.forTopic(Topics.TRAINING_PROGRESS)
                .replaceFirst("\"runId\"\\s*:", "\"renamed\":");
        assertThatThrownBy(() -> consumer.progress(withoutRun))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("runId");
    }
}

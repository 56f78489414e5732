package dev.finetune.dataset.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TriggerPolicyTests {

    private final TriggerSettings settings = new TriggerSettings(100, 10, Duration.ofMinutes(5));
    private final Instant now = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    void firesAtNPendingExamples() {
        assertThat(TriggerPolicy.decide(settings, 99, now, now, null)).isEmpty();
        assertThat(TriggerPolicy.decide(settings, 100, now, now, null)).get().asString().contains("N=100");
    }

    @Test
    void firesAtMExamplesOnceTheOldestWaitedT() {
        Instant fourMinutesAgo = now.minus(Duration.ofMinutes(4));
        Instant fiveMinutesAgo = now.minus(Duration.ofMinutes(5));
        assertThat(TriggerPolicy.decide(settings, 10, fourMinutesAgo, now, null)).isEmpty();
        assertThat(TriggerPolicy.decide(settings, 9, fiveMinutesAgo, now, null)).isEmpty();
        assertThat(TriggerPolicy.decide(settings, 10, fiveMinutesAgo, now, null)).get().asString().contains("M=10");
    }

    @Test
    void afterAFailedBuildWaitsForMoreExamples() {
        assertThat(TriggerPolicy.decide(settings, 150, now, now, 160)).isEmpty();
        assertThat(TriggerPolicy.decide(settings, 160, now, now, 160)).isPresent();
        assertThat(TriggerPolicy.countLimit(settings, 160)).isEqualTo(160);
    }

    @Test
    void nothingPendingNeverFires() {
        assertThat(TriggerPolicy.decide(new TriggerSettings(1, 1, Duration.ZERO), 0, null, now, null)).isEmpty();
    }
}

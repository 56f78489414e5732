package dev.finetune.training.progress;

import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Ends the streams of runs that ended without an end event this instance heard: a cancelled run (a cancel is
 * announced on no topic), or a run whose end was sent before this instance's consumer listened (it starts at
 * the latest offset). The database says how every run ended, so its status is the safety net under the events.
 */
@ApplicationScoped
public class StreamEndCheck {

    private static final Logger LOG = Logger.getLogger(StreamEndCheck.class);

    private final ProgressBroadcaster broadcaster;
    private final RunStore runs;

    public StreamEndCheck(ProgressBroadcaster broadcaster, RunStore runs) {
        this.broadcaster = broadcaster;
        this.runs = runs;
    }

    @Scheduled(every = "${training.progress.end-check:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void check() {
        Set<UUID> followed = broadcaster.followed();
        if (followed.isEmpty()) {
            return;
        }
        Map<UUID, RunStatus> ended;
        try {
            ended = runs.finishedAmong(followed);
        } catch (RuntimeException e) { // the database away: the streams stay open until a check gets through
            LOG.warnf("progress streams of %d run(s) not checked against the database: %s", followed.size(),
                    e.getMessage());
            return;
        }
        ended.forEach((run, status) -> {
            LOG.debugf("run %s ended %s without an end event heard here: its streams end", run, status);
            broadcaster.finished(run, status);
        });
    }
}

package dev.finetune.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.events.Topics;
import dev.finetune.testing.FreePort;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The whole cycle through the four services as separate processes on the real broker, S3Proxy and
 * PostgreSQL — the demo itself, on a smaller budget — with the training-service killed (SIGKILL) in
 * the middle of the first run: after its restart the run resumes from its checkpoint and the cycle
 * ends with exactly one promotion of the first version, whose events from datasets.prepared to
 * models.promoted all carry one OpenTelemetry trace that every service logged. Then every service is restarted with fresh
 * consumer groups, so every topic is replayed from offset 0: no data set version, run, evaluation,
 * model version or promotion appears.
 */
class CycleIT {

    @Test
    void theDemoCycleSurvivesATrainingServiceKilledMidRun() throws Exception {
        Path root = Path.of(System.getProperty("devstack.root")).toAbsolutePath();
        StackSettings settings = new StackSettings(root, root.resolve("devstack/target/cycle-it"), "finetune_cycle_it",
                FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        StackProbe probe = new StackProbe(settings);
        String training = probe.training();

        try (DevStack stack = new DevStack(settings, out).start()) {
            Demo demo = new Demo(stack, out, new Demo.Budget(120, 60, 3, 24));
            CompletableFuture<Integer> cycle = CompletableFuture.supplyAsync(() -> {
                try {
                    return demo.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            // Kill the training-service once the first run has stored a resumable checkpoint.
            String runId = await().atMost(Duration.ofMinutes(5)).until(() -> resumableRun(training, demo.dataset()),
                    id -> id != null);
            stack.kill("training-service");
            stack.restart("training-service");

            assertThat(cycle.get()).as(printed.toString(StandardCharsets.UTF_8)).isZero();
            JsonNode run = StackProbe.get(training + "/runs/" + runId).path("run");
            assertThat(run.path("status").asText()).isEqualTo("succeeded");
            assertThat(run.path("attempts").asInt()).as("resumed after the kill").isEqualTo(2);

            assertThat(probe.promotionsOf(demo.dataset(), 1)).isEqualTo(1);
            assertOneTraceFromUploadToPromotion(probe, settings, demo.dataset() + "-v1");

            // Replay: every service restarted with fresh consumer groups reads every topic from offset 0.
            // First let the pipeline settle: every run ended, and each candidate evaluated and decided.
            probe.awaitSettled(demo.dataset(), 2);
            String before = probe.state(demo.dataset());
            Map<String, Map<String, String>> replayGroups = Map.of(
                    "dataset-service", Map.of("MP_MESSAGING_INCOMING_LABELS_INGEST_GROUP_ID", "dataset-replay",
                            "MP_MESSAGING_INCOMING_MODELS_PROMOTED_GROUP_ID", "dataset-promoted-replay"),
                    "training-service", Map.of("MP_MESSAGING_INCOMING_DATASETS_PREPARED_GROUP_ID", "training-replay"),
                    "evaluation-service", Map.of("MP_MESSAGING_INCOMING_TRAINING_CHECKPOINTS_GROUP_ID", "evaluation-replay",
                            "MP_MESSAGING_INCOMING_MODELS_PROMOTED_GROUP_ID", "evaluation-promoted-replay"),
                    "registry-service", Map.of("MP_MESSAGING_INCOMING_EVALUATIONS_COMPLETED_GROUP_ID", "registry-replay"));
            for (var service : replayGroups.entrySet()) {
                stack.kill(service.getKey());
                stack.restart(service.getKey(), service.getValue());
            }
            probe.awaitCaughtUp(List.of("dataset-replay", "training-replay", "evaluation-replay", "registry-replay"));
            assertThat(probe.state(demo.dataset()))
                    .as("versions, runs, evaluations, model versions and alias moves after the replay").isEqualTo(before);
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("promoted " + "reviews-").contains("== 3. Predictions").contains("training-service killed");
    }

    /**
     * The first version's events, from datasets.prepared to models.promoted, are in one OpenTelemetry trace
     * (carried in their traceparent headers, across the kill and resume), and every service logged in it.
     */
    private static void assertOneTraceFromUploadToPromotion(StackProbe probe, StackSettings settings,
            String correlationId) throws Exception {
        Set<String> traces = new TreeSet<>();
        for (String topic : List.of(Topics.DATASETS_PREPARED, Topics.TRAINING_PROGRESS, Topics.TRAINING_CHECKPOINTS,
                Topics.TRAINING_COMPLETED, Topics.EVALUATIONS_COMPLETED, Topics.MODELS_PROMOTED)) {
            Set<String> ids = probe.traceIds(topic, correlationId);
            assertThat(ids).as("trace ids on %s for %s", topic, correlationId).hasSize(1);
            traces.addAll(ids);
        }
        assertThat(traces).as("one trace across every topic").hasSize(1);
        String traceId = traces.iterator().next();
        assertThat(traceId).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
        for (String service : DevStack.SERVICES) {
            assertThat(Files.readString(settings.logDirectory().resolve(service + ".log")))
                    .as("%s logs the trace", service).contains("traceId=" + traceId);
        }
    }

    /** The id of the data set's first run once it has a resumable checkpoint, else null. */
    private static String resumableRun(String training, String dataset) throws Exception {
        JsonNode runs = StackProbe.get(training + "/runs?dataset=" + dataset);
        if (runs == null || runs.isEmpty()) {
            return null;
        }
        String id = runs.get(runs.size() - 1).path("id").asText();
        JsonNode detail = StackProbe.get(training + "/runs/" + id);
        for (JsonNode checkpoint : detail.path("checkpoints")) {
            if (checkpoint.path("reason").asText().equals("epoch_end")
                    && detail.path("run").path("status").asText().equals("running")) {
                return id;
            }
        }
        return null;
    }
}

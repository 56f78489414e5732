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
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The demo cycle, on a small budget, through two infrastructure outages of 20 seconds each, with the
 * four services as processes that are never restarted: S3Proxy is stopped while the first run is
 * training, so its first checkpoint upload meets the outage and is retried; the Kafka broker is stopped
 * while the second run trains, so its events wait in the producers and the consumers reconnect. The
 * cycle completes, and every event on every topic of the flow was applied exactly once: one run per
 * prepared version, one evaluation per candidate checkpoint, one model version and one decision per
 * evaluation.
 */
class InfrastructureOutageIT {

    private static final Duration OUTAGE = Duration.ofSeconds(20);

    @Test
    void theCycleCompletesThroughAnObjectStoreOutageDuringACheckpointUploadAndABrokerOutageMidRun() throws Exception {
        Path root = Path.of(System.getProperty("devstack.root")).toAbsolutePath();
        StackSettings settings = new StackSettings(root, root.resolve("devstack/target/outage-it"), "finetune_outage_it",
                FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        StackProbe probe = new StackProbe(settings);
        Path trainingLog = settings.logDirectory().resolve("training-service.log");

        try (DevStack stack = new DevStack(settings, out).start()) {
            Demo demo = new Demo(stack, out, new Demo.Budget(120, 60, 3, 24));
            String dataset = demo.dataset();
            CompletableFuture<Integer> cycle = CompletableFuture.supplyAsync(() -> {
                try {
                    return demo.run();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            // 1. S3 away while the first run trains: its first checkpoint upload meets the outage.
            String firstRun = await().atMost(Duration.ofMinutes(5))
                    .until(() -> trainingRun(probe, dataset, 1), Objects::nonNull);
            long s3Stopped = System.nanoTime();
            stack.stopObjectStore();
            await().atMost(Duration.ofMinutes(2)).until(() -> Files.readString(trainingLog)
                    .contains("storage unavailable while storing checkpoint models/" + firstRun + "/"));
            restOfOutage(s3Stopped);
            stack.startObjectStore();

            // 2. The broker away while the second run trains.
            await().atMost(Duration.ofMinutes(10)).until(() -> trainingRun(probe, dataset, 2), Objects::nonNull);
            long brokerStopped = System.nanoTime();
            stack.stopBroker();
            restOfOutage(brokerStopped);
            stack.startBroker();

            assertThat(cycle.get(20, TimeUnit.MINUTES)).as(printed.toString(StandardCharsets.UTF_8)).isZero();
            probe.awaitSettled(dataset, 2);

            JsonNode first = StackProbe.get(probe.training() + "/runs/" + firstRun).path("run");
            assertThat(first.path("status").asText()).as("the upload was retried, the run not failed").isEqualTo("succeeded");
            assertThat(first.path("attempts").asInt()).as("no restart was needed").isEqualTo(1);
            assertThat(probe.promotionsOf(dataset, 1)).as("promotions of the first version").isEqualTo(1);
            assertEveryEventAppliedOnce(probe, dataset);
            assertThat(stack.allReady()).as("every service ready after both outages").isTrue();
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("s3 stopped", "kafka stopped",
                "kafka started again", "(data set v2)");
    }

    /**
     * Counts what each consumer made of the events on the topics, against the distinct events there (a
     * producer retry may put one event on a topic twice; its consumer must apply it once).
     */
    private static void assertEveryEventAppliedOnce(StackProbe probe, String dataset) throws Exception {
        List<JsonNode> prepared = probe.events(Topics.DATASETS_PREPARED, dataset);
        assertThat(distinct(prepared, "eventId")).as("datasets.prepared events").hasSize(2);
        assertThat(probe.runs(dataset)).as("one run per prepared version").hasSize(2);
        assertThat(distinct(probe.events(Topics.TRAINING_COMPLETED, dataset), "eventId"))
                .as("training.completed: one per run").hasSize(2);

        Set<String> candidates = probe.events(Topics.TRAINING_CHECKPOINTS, dataset).stream()
                .filter(e -> e.path("best").asBoolean())
                .map(e -> e.path("lineage").path("checkpointSha256").asText()).collect(Collectors.toSet());
        assertThat(candidates).as("one candidate per run").hasSize(2);
        List<JsonNode> evaluated = probe.events(Topics.EVALUATIONS_COMPLETED, dataset);
        assertThat(distinct(evaluated, "evaluationId")).as("one evaluation per candidate checkpoint")
                .hasSize(candidates.size());
        assertThat(StackProbe.get(probe.evaluations() + "/evaluations?model=" + dataset)).hasSize(candidates.size());

        JsonNode versions = StackProbe.get(probe.registry() + "/models/" + dataset).path("versions");
        assertThat(versions).as("one model version per evaluation").hasSize(candidates.size());
        List<JsonNode> decisions = probe.events(Topics.MODELS_PROMOTED, dataset);
        decisions.addAll(probe.events(Topics.MODELS_REJECTED, dataset));
        assertThat(distinct(decisions, "version")).as("one decision per model version").hasSize(versions.size());
    }

    private static Set<String> distinct(List<JsonNode> events, String field) {
        return events.stream().map(e -> e.path(field).asText()).collect(Collectors.toSet());
    }

    /** The id of the run on data set version {@code n} once it has taken a training step, else null. */
    private static String trainingRun(StackProbe probe, String dataset, int n) throws Exception {
        JsonNode runs = probe.runs(dataset);
        for (JsonNode run : runs == null ? List.<JsonNode>of() : runs) {
            if (run.path("datasetVersion").asInt() == n && run.path("status").asText().equals("running")
                    && run.path("step").asLong() >= 1) {
                return run.path("id").asText();
            }
        }
        return null;
    }

    /** The outage lasts {@link #OUTAGE} from {@code stoppedAt}: its length is the point, not a wait for a state. */
    private static void restOfOutage(long stoppedAt) throws InterruptedException {
        long left = OUTAGE.toNanos() - (System.nanoTime() - stoppedAt);
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}

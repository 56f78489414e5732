package dev.finetune.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.bench.PrepareData;
import dev.finetune.events.Topics;
import dev.finetune.testing.FreePort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The whole cycle through the four services as separate processes on the real broker, S3Proxy and
 * PostgreSQL (the demo itself, on a smaller budget) through every fault the platform must survive, one
 * after the other in one cycle (a cycle each would not fit CI's time on 2 cores):
 * <ol>
 * <li>S3Proxy is stopped for 20 s while the first run trains: its first checkpoint upload meets the outage
 * and is retried;</li>
 * <li>the training-service is killed (SIGKILL) once that checkpoint is stored: after its restart the run
 * resumes from it, and the cycle ends with exactly one promotion of the first version, whose events from
 * datasets.prepared to models.promoted all carry one OpenTelemetry trace that every service logged;</li>
 * <li>the Kafka broker is stopped for 20 s while the second run trains: the cycle completes, and every
 * event was applied exactly once (one run per prepared version, one evaluation per candidate, one model
 * version and one decision per evaluation);</li>
 * <li>every service is restarted with fresh consumer groups, so every topic is replayed from offset 0: no
 * data set version, run, evaluation, model version or promotion appears;</li>
 * <li>the promoted model scores the bench data (the SpamAssassin test split's subjects, about a thousand) in a batch
 * prediction, whose predictions are those {@code /predict} gives for the same texts.</li>
 * </ol>
 */
class CycleIT {

    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDemoCycleSurvivesStorageAndBrokerOutagesAKilledTrainingServiceAndAReplay() throws Exception {
        Path root = Path.of(System.getProperty("devstack.root")).toAbsolutePath();
        StackSettings settings = new StackSettings(root, root.resolve("devstack/target/cycle-it"), "finetune_cycle_it",
                FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(),
                FreePort.find(), FreePort.find());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        StackProbe probe = new StackProbe(settings);
        String training = probe.training();
        Path trainingLog = settings.logDirectory().resolve("training-service.log");

        List<Long> pids;
        try (DevStack stack = new DevStack(settings, out).withKeycloak(StackProbe.keycloak()).start()) {
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
            String runId = await().atMost(Duration.ofMinutes(5))
                    .until(() -> trainingRun(probe, dataset, 1), Objects::nonNull);
            long s3Stopped = System.nanoTime();
            stack.stopObjectStore();
            await().atMost(Duration.ofMinutes(2)).until(() -> Files.readString(trainingLog)
                    .contains("storage unavailable while storing checkpoint models/" + runId + "/"));
            restOfOutage(s3Stopped);
            stack.startObjectStore();

            // 2. Kill the training-service once the retried upload has stored the run's resumable checkpoint.
            await().atMost(Duration.ofMinutes(3)).until(() -> runId.equals(resumableRun(training, dataset)));
            stack.kill("training-service");
            stack.restart("training-service");

            // 3. The broker away while the second run trains.
            await().atMost(Duration.ofMinutes(10)).until(() -> trainingRun(probe, dataset, 2), Objects::nonNull);
            long brokerStopped = System.nanoTime();
            stack.stopBroker();
            restOfOutage(brokerStopped);
            stack.startBroker();

            assertThat(cycle.get(20, TimeUnit.MINUTES)).as(printed.toString(StandardCharsets.UTF_8)).isZero();
            JsonNode run = StackProbe.get(training + "/runs/" + runId).path("run");
            assertThat(run.path("status").asText()).as("the upload was retried, the run not failed").isEqualTo("succeeded");
            assertThat(run.path("attempts").asInt()).as("resumed after the kill").isEqualTo(2);
            assertThat(probe.promotionsOf(dataset, 1)).isEqualTo(1);
            assertOneTraceFromUploadToPromotion(probe, settings, dataset + "-v1");

            // Let the pipeline settle (every run ended, each candidate evaluated and decided), then count.
            probe.awaitSettled(dataset, 2);
            assertEveryEventAppliedOnce(probe, dataset);
            assertThat(stack.allReady()).as("every service ready after the faults").isTrue();

            // 4. Replay: every service restarted with fresh consumer groups reads every topic from offset 0. The
            // groups start with the service's name: its Kafka principal may use no others (KafkaAccess).
            String before = probe.state(dataset);
            Map<String, Map<String, String>> replayGroups = Map.of(
                    "dataset-service", Map.of("MP_MESSAGING_INCOMING_LABELS_INGEST_GROUP_ID", "dataset-service-replay",
                            "MP_MESSAGING_INCOMING_MODELS_PROMOTED_GROUP_ID", "dataset-service-promoted-replay"),
                    "training-service", Map.of("MP_MESSAGING_INCOMING_DATASETS_PREPARED_GROUP_ID", "training-service-replay"),
                    "evaluation-service", Map.of(
                            "MP_MESSAGING_INCOMING_TRAINING_CHECKPOINTS_GROUP_ID", "evaluation-service-replay",
                            "MP_MESSAGING_INCOMING_MODELS_PROMOTED_GROUP_ID", "evaluation-service-promoted-replay"),
                    "registry-service", Map.of(
                            "MP_MESSAGING_INCOMING_EVALUATIONS_COMPLETED_GROUP_ID", "registry-service-replay"));
            for (var service : replayGroups.entrySet()) {
                stack.kill(service.getKey());
                stack.restart(service.getKey(), service.getValue());
            }
            probe.awaitCaughtUp(List.of("dataset-service-replay", "training-service-replay", "evaluation-service-replay",
                    "registry-service-replay"));
            assertThat(probe.state(dataset))
                    .as("versions, runs, evaluations, model versions and alias moves after the replay").isEqualTo(before);

            // 5. A batch prediction over the bench data.
            assertBatchPredictionScoresAsPredict(probe, dataset, settings.logDirectory().resolve("bench-data"));
            assertThat(stack.pids()).hasSizeGreaterThanOrEqualTo(DevStack.SERVICES.size() + 2)
                    .allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());
            List<Long> taken = new ArrayList<>(stack.pids()); // and every process they started
            stack.pids().forEach(pid -> ProcessHandle.of(pid).ifPresent(p -> p.descendants()
                    .forEach(child -> taken.add(child.pid()))));
            pids = taken;
        }
        assertNothingOutlives(pids, settings, printed.toString(StandardCharsets.UTF_8));
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("promoted " + "reviews-").contains("== 3. Predictions")
                .containsPattern("training-service on port \\d+ killed")
                .contains("s3 stopped", "kafka stopped", "kafka started again", "(data set v2)");
    }

    /**
     * Once the stack has stopped, none of its processes ({@code pids}, taken while it ran: the broker, S3Proxy, every
     * service instance, and every process they started) runs, and what the stack printed named every service. Other
     * processes of this JVM are not this stack's: the shared Keycloak outlives every stack by design, and the stack
     * of {@link SharedStack} may be running too.
     */
    private static void assertNothingOutlives(List<Long> pids, StackSettings settings, String printed) {
        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                .as("pid %d alive", pid).isFalse());
        for (String service : DevStack.SERVICES) {
            assertThat(printed).contains(service);
        }
        assertThat(printed).contains("http://localhost:" + settings.registryPort());
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
        // Per version, not distinct versions: a version promoted and also rejected, or decided twice, shows
        // as two decision events for it. A producer retry re-sends one event (same id), which is one decision.
        Map<String, Set<String>> decisionsPerVersion = decisions.stream().collect(Collectors.groupingBy(
                e -> e.path("version").asText(), TreeMap::new,
                Collectors.mapping(e -> e.path("eventId").asText(), Collectors.toSet())));
        Set<String> registered = new TreeSet<>();
        versions.forEach(v -> registered.add(v.path("version").asText()));
        assertThat(decisionsPerVersion.keySet()).as("a decision for every model version").isEqualTo(registered);
        decisionsPerVersion.forEach((version, ids) ->
                assertThat(ids).as("decisions on models.promoted/rejected for version %s", version).hasSize(1));
    }

    /**
     * The production version of {@code model} scores the SpamAssassin test split's subjects in a batch prediction
     * through the registry: it succeeds, with one prediction per row in input order, each with the label and (within
     * 1e-4) the scores {@code /predict} gives the same text, and its end is announced on batch-predictions.completed.
     */
    private static void assertBatchPredictionScoresAsPredict(StackProbe probe, String model, Path work) throws Exception {
        Files.createDirectories(work);
        PrepareData.spamAssassin(Path.of(System.getProperty("bench.spam.dir")), work.resolve("spam-train.jsonl"),
                work.resolve("spam-test.jsonl"));
        String input = Files.readString(work.resolve("spam-test-subjects.jsonl"));
        List<String> texts = input.lines().map(line -> read(line).path("text").asText()).toList();
        assertThat(texts).as("the bench's test subjects").hasSizeGreaterThan(500);

        String jobs = probe.registry() + "/models/" + model + "/batch-predictions";
        JsonNode created = StackProbe.send("POST", jobs, input, "application/x-ndjson");
        String id = created.path("id").asText();
        JsonNode done = await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> StackProbe.get(jobs + "/" + id),
                        job -> job != null && List.of("succeeded", "failed").contains(job.path("status").asText()));
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
        assertThat(done.path("rowsScored").asInt()).isEqualTo(texts.size());

        List<JsonNode> predictions = new String(StackProbe.download(jobs + "/" + id + "/predictions"),
                StandardCharsets.UTF_8).lines().filter(line -> !line.isEmpty()).map(CycleIT::read).toList();
        assertThat(predictions).extracting(p -> p.path("row").asInt())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, texts.size()).boxed().toList());
        for (int start = 0; start < texts.size(); start += 64) {
            List<String> chunk = texts.subList(start, Math.min(texts.size(), start + 64));
            JsonNode answer = StackProbe.send("POST", probe.registry() + "/models/" + model + "/predict",
                    JSON.writeValueAsString(Map.of("inputs", chunk)), "application/json").path("predictions");
            for (int i = 0; i < chunk.size(); i++) {
                int row = start + i + 1;
                JsonNode batch = predictions.get(row - 1);
                assertThat(batch.path("label").asText()).as("row %d", row).isEqualTo(answer.get(i).path("label").asText());
                answer.get(i).path("scores").fields().forEachRemaining(score -> assertThat(
                        batch.path("scores").path(score.getKey()).asDouble()).as("row %d, %s", row, score.getKey())
                        .isCloseTo(score.getValue().asDouble(), within(1e-4)));
            }
        }
        List<JsonNode> ends = probe.records(Topics.BATCH_PREDICTIONS_COMPLETED, model).stream()
                .map(r -> read(r.value())).toList();
        assertThat(ends).extracting(e -> e.path("batchPredictionId").asText()).containsExactly(id);
        assertThat(ends.get(0).path("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(ends.get(0).path("rows").asInt()).isEqualTo(texts.size());
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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

package dev.finetune.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.events.Topics;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.storage.StorageSettings;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.FreePort;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The end-to-end fault tests of issue 12 ("one way out for every event, retries for transient faults, a
 * run lifecycle that cannot split or loop"), against the four services as separate processes on the real
 * broker, S3Proxy and PostgreSQL. The faults are real: every service instance reaches PostgreSQL through a
 * {@code TcpProxy} of its own, which is cut (its connections closed, new ones refused, as from a stopped
 * server) while the machine's server keeps serving every other build; the broker's JVM is stopped and
 * started again on the same port with its data; a training instance is killed with SIGKILL.
 * <ul>
 * <li>F1: PostgreSQL away from every service for 20 s while labels.ingest.team-a records stream in and a run
 * completes;</li>
 * <li>F3: the broker stopped for 20 s as a run completes (its completion and candidate go out then);</li>
 * <li>F4: two training instances; the lease owner loses its database for longer than the lease;</li>
 * <li>F5: the instance executing a run killed at every attempt until the cap.</li>
 * </ul>
 * One stack for all of them, shared with {@link DevStackIT} ({@link SharedStack}); each test uses data sets of
 * its own and sets up the training instances it needs. F1 and F3 run on the default lease (60 s, as in
 * production), F4 and F5 on instances with a 15 s lease, since each takeover waits for a lease to run out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedStack.Resolver.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TRAINING = "training-service";
    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static final Duration SHORT_LEASE = Duration.ofSeconds(15);
    private static final Map<String, String> SHORT_LEASE_SETTINGS = Map.of(
            "TRAINING_LEASE", SHORT_LEASE.toSeconds() + "s", "TRAINING_HEARTBEAT", "2s");
    private static final int F5_MAX_ATTEMPTS = 2;
    private static final List<String> ENDED = List.of("succeeded", "failed", "cancelled");
    /** A few seconds of training on 90 reviews (10 steps), as DevStackIT's. */
    private static final String SHORT_RUN = """
            {"strategy": "full", "epochs": 2, "batchSize": 16, "maxLength": 16, "learningRate": 1e-4,
             "earlyStoppingPatience": 0}""";
    /** Long enough (3 epochs of 15 steps) that an owner that went on training would still be at it after the takeover. */
    private static final String LONGER_RUN = """
            {"strategy": "full", "epochs": 3, "batchSize": 8, "maxLength": 16, "learningRate": 1e-4,
             "earlyStoppingPatience": 0}""";

    private final String suffix = UUID.randomUUID().toString().substring(0, 6);
    /** The settings each running training instance was started with beyond the stack's. */
    private final Map<ServiceProcess, Map<String, String>> trainingSettings = new HashMap<>();
    private StackSettings settings;
    private DevStack stack;
    private StackProbe probe;
    private ArtifactStore objects;

    @BeforeAll
    void start(SharedStack shared) {
        settings = shared.settings;
        stack = shared.stack;
        probe = new StackProbe(settings);
        objects = new ArtifactStore(new StorageSettings(settings.s3Endpoint(), stack.storageAccessKey(),
                stack.storageSecretKey(), StackSettings.BUCKET, null));
        for (ServiceProcess instance : stack.instances(TRAINING)) {
            trainingSettings.put(instance, Map.of()); // as the stack started them (another class stops its own)
        }
    }

    /**
     * F1. PostgreSQL goes away from every instance of every service for 20 s, from the moment the first run
     * starts its last epoch, while 200 records stream in on labels.ingest (50 before the cut, 150 during it).
     * After it returns the cycle completes: the 200 records cut version 2, which is trained, evaluated and
     * decided; nothing reached a dead-letter topic; every streamed record is in version 2 exactly once
     * (none lost, none twice, none in a third version); one run, one evaluation and one decision per version.
     */
    @Test
    @Order(1)
    void f1PostgresAwayFromEveryServiceWhileLabelsStreamInAndARunCompletes() throws Exception {
        trainingInstances(1, Map.of());
        String dataset = "f1-postgres-" + suffix;
        int deadLettersBefore = probe.deadLetters();
        int streamed = 200;
        StackProbe.send("PUT", probe.training() + "/training-configs/" + dataset, SHORT_RUN, "application/json");
        StackProbe.send("PUT", probe.datasets() + "/datasets/" + dataset + "/trigger", "{\"newExamples\": " + streamed
                + ", \"partialExamples\": " + streamed + ", \"partialAfter\": \"PT30M\"}", "application/json");
        List<ReviewGenerator.Review> reviews = ReviewGenerator.generate(90 + streamed, 11);
        upload(dataset, reviews.subList(0, 90));
        String firstRun = awaitRun(dataset, 1);
        await().atMost(Duration.ofMinutes(5)).until(() -> evaluatedEpochs(firstRun) >= 1);

        List<String> sourceIds = IntStream.range(0, streamed).mapToObj(i -> dataset + "-stream-" + i).toList();
        List<ServiceProcess> everyInstance = DevStack.SERVICES.stream()
                .flatMap(service -> stack.instances(service).stream()).toList();
        try (KafkaProducer<String, String> producer = producer()) {
            stream(producer, dataset, reviews.subList(90, 140), sourceIds.subList(0, 50));
            long cut = System.nanoTime();
            everyInstance.forEach(stack::cutDatabase);
            stream(producer, dataset, reviews.subList(140, 90 + streamed), sourceIds.subList(50, streamed));
            restOfOutage(cut);
            everyInstance.forEach(stack::restoreDatabase);
        }

        await().atMost(Duration.ofMinutes(10)).ignoreExceptions().until(() -> decided(dataset, 2));
        probe.awaitSettled(dataset, 2);

        JsonNode versions = StackProbe.get(probe.datasets() + "/datasets/" + dataset + "/versions");
        assertThat(versions).as("versions of %s: the upload's and the one the 200 records cut", dataset).hasSize(2);
        Map<String, Long> inFirst = sourceIdsIn(dataset, 1);
        Map<String, Long> inSecond = sourceIdsIn(dataset, 2);
        assertThat(inFirst.keySet()).as("streamed records in version 1").doesNotContainAnyElementsOf(sourceIds);
        Map<String, Long> streamedInSecond = new TreeMap<>(inSecond);
        streamedInSecond.keySet().retainAll(sourceIds);
        assertThat(streamedInSecond.keySet()).as("every streamed record is in version 2")
                .containsExactlyInAnyOrderElementsOf(sourceIds);
        assertThat(streamedInSecond.values()).as("each once").containsOnly(1L);
        JsonNode second = StackProbe.get(probe.datasets() + "/datasets/" + dataset + "/versions/2");
        assertThat(second.path("validation").path("rowsRead").asInt()).as("records version 2 was cut from")
                .isEqualTo(streamed);
        assertThat(second.path("validation").path("rejected").asInt()).as("none rejected (a record applied twice "
                + "would be a duplicate)").isZero();

        assertOnePerVersion(dataset, 2);
        assertThat(probe.deadLetters()).as("records in the dead-letter topics").isEqualTo(deadLettersBefore);
        assertThat(stack.allReady()).as("every service ready once PostgreSQL is back").isTrue();
    }

    /**
     * F3. The broker is stopped as a run enters its last epoch and stays away until the run has ended (at
     * least 20 s): the run's end, its completion and its candidate, is committed after the broker's process
     * has exited and published once it is back. The run succeeds once, with one completion, one candidate, one evaluation
     * and one decision.
     */
    @Test
    @Order(2)
    void f3BrokerAwayAsARunCompletes() throws Exception {
        trainingInstances(1, Map.of());
        String dataset = "f3-broker-" + suffix;
        int deadLettersBefore = probe.deadLetters();
        StackProbe.send("PUT", probe.training() + "/training-configs/" + dataset, LONGER_RUN, "application/json");
        upload(dataset, ReviewGenerator.generate(150, 13));
        String runId = awaitRun(dataset, 1);
        await().atMost(Duration.ofMinutes(5)).until(() -> evaluatedEpochs(runId) >= 2);

        long stopped = System.nanoTime();
        stack.stopBroker();
        Instant stoppedAt = Instant.now(); // its process has exited
        JsonNode ended = await().atMost(Duration.ofMinutes(5)).until(() -> run(probe.training(), runId),
                r -> ENDED.contains(r.path("status").asText()));
        restOfOutage(stopped);
        Instant restartedAt = Instant.now();
        stack.startBroker();

        assertThat(ended.path("status").asText()).as(ended.toString()).isEqualTo("succeeded");
        assertThat(Instant.parse(ended.path("finishedAt").asText())).as("the run ended while the broker was away")
                .isBetween(stoppedAt, restartedAt);
        await().atMost(Duration.ofMinutes(5)).ignoreExceptions().until(() -> decided(dataset, 1));
        probe.awaitSettled(dataset, 1);

        assertThat(run(probe.training(), runId).path("attempts").asInt()).as("attempts").isEqualTo(1);
        assertOnePerVersion(dataset, 1);
        assertThat(probe.deadLetters()).as("records in the dead-letter topics").isEqualTo(deadLettersBefore);
        assertThat(stack.allReady()).as("every service ready once the broker is back").isTrue();
    }

    /**
     * F4. Two training instances; the one holding the run loses its database (its proxy is cut) from its
     * first step until the other has taken the run over, longer than the lease. The run completes once, on
     * the other instance. The first stops: it publishes nothing more (the run's progress restarts once, at
     * the takeover, and nothing about the run appears after its completion, also once the first has its
     * database back) and deletes or adds nothing in the object store (what is under the run's prefix is
     * exactly the checkpoints the run recorded).
     */
    @Test
    @Order(3)
    void f4TheLeaseOwnerLosesItsDatabaseAndTheOtherInstanceTakesTheRunOver() throws Exception {
        List<ServiceProcess> instances = trainingInstances(2, SHORT_LEASE_SETTINGS);
        String dataset = "f4-lease-" + suffix;
        int deadLettersBefore = probe.deadLetters();
        StackProbe.send("PUT", probe.training() + "/training-configs/" + dataset, LONGER_RUN, "application/json");
        upload(dataset, ReviewGenerator.generate(150, 17));
        String runId = awaitRun(dataset, 1);
        await().atMost(Duration.ofMinutes(5)).until(() -> !progressSteps(runId).isEmpty());

        JsonNode claimed = run(probe.training(), runId);
        ServiceProcess first = owner(claimed);
        assertThat(first).as("the instance holding the run: %s", claimed).isNotNull();
        ServiceProcess other = instances.stream().filter(i -> i != first).findFirst().orElseThrow();
        long cut = System.nanoTime();
        stack.cutDatabase(first);
        JsonNode takenOver = await().atMost(Duration.ofMinutes(3)).ignoreExceptions()
                .until(() -> run(other.url(), runId), r -> owner(r) == other);
        // Away for longer than the lease in any case (the lease ran from the owner's last renewal, before the cut).
        restOf(cut, SHORT_LEASE.plusSeconds(5));
        stack.restoreDatabase(first);
        assertThat(takenOver.path("attempts").asInt()).isEqualTo(2);
        assertThat(takenOver.path("interruptedAttempts").asInt()).isEqualTo(1);

        JsonNode ended = await().atMost(Duration.ofMinutes(8)).ignoreExceptions()
                .until(() -> run(other.url(), runId), r -> ENDED.contains(r.path("status").asText()));
        assertThat(ended.path("status").asText()).as(ended.toString()).isEqualTo("succeeded");
        assertThat(owner(ended.path("executedBy").asText())).as("ended by the instance that took it over").isSameAs(other);
        assertThat(ended.path("attempts").asInt()).isEqualTo(2);
        assertThat(ended.path("interruptedAttempts").asInt()).isEqualTo(1);
        await().atMost(Duration.ofMinutes(5)).ignoreExceptions().until(() -> decided(dataset, 1));
        probe.awaitSettled(dataset, 1);

        // The first instance, its database back, says nothing more about the run, for several heartbeats.
        await().atMost(Duration.ofMinutes(2)).until(first::isReady);
        ConsumerRecord<String, String> completion = probe.records(Topics.TRAINING_COMPLETED, runId).get(0);
        await().during(Duration.ofSeconds(10)).atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2))
                .until(() -> recordsAfter(runId, completion.timestamp()).isEmpty());
        List<Integer> steps = progressSteps(runId);
        long restarts = IntStream.range(1, steps.size()).filter(i -> steps.get(i) < steps.get(i - 1)).count();
        assertThat(restarts).as("the run's progress steps restart at most once, at the takeover: %s", steps)
                .isLessThanOrEqualTo(1);

        JsonNode detail = StackProbe.get(other.url() + "/runs/" + runId);
        Set<String> recorded = new TreeSet<>();
        detail.path("checkpoints").forEach(c -> recorded.add(ObjectUri.parse(c.path("uri").asText()).key()));
        recorded.add(ObjectUri.parse(ended.path("bestCheckpointUri").asText()).key());
        assertThat(new TreeSet<>(objects.list("models/" + runId + "/")))
                .as("objects under the run's prefix: the checkpoints the run recorded, no more, no fewer")
                .isEqualTo(recorded);

        assertOnePerVersion(dataset, 1);
        assertThat(probe.deadLetters()).as("records in the dead-letter topics").isEqualTo(deadLettersBefore);
        assertThat(stack.instances(TRAINING)).as("neither instance died").containsAll(instances);
    }

    /**
     * F5. The JVM of whichever instance executes the run is killed (SIGKILL) as soon as it has claimed an
     * attempt, and a fresh instance started in its place, until the run ends: it fails after
     * {@code training.max-attempts} (2 here: each attempt costs a lease and a JVM start, and the cap is the same
     * check at any value) with the reason on the run and on training.failed, never completes, and the run queued
     * behind it is trained.
     */
    @Test
    @Order(4)
    void f5ARunWhoseJvmDiesInEveryAttemptFailsAtTheCapAndTheQueueMovesOn() throws Exception {
        Map<String, String> capped = new HashMap<>(SHORT_LEASE_SETTINGS);
        capped.put("TRAINING_MAX_ATTEMPTS", String.valueOf(F5_MAX_ATTEMPTS));
        trainingInstances(1, capped);
        String killed = "f5-killed-" + suffix;
        String next = "f5-next-" + suffix;
        int deadLettersBefore = probe.deadLetters();
        for (String dataset : List.of(killed, next)) {
            StackProbe.send("PUT", probe.training() + "/training-configs/" + dataset, SHORT_RUN, "application/json");
        }
        upload(killed, ReviewGenerator.generate(90, 19));
        String runId = awaitRun(killed, 1);
        upload(next, ReviewGenerator.generate(90, 23));
        String nextRunId = awaitRun(next, 1);

        for (int attempt = 1; attempt <= F5_MAX_ATTEMPTS; attempt++) {
            int claim = attempt;
            JsonNode claimed = await().atMost(Duration.ofMinutes(6)).ignoreExceptions()
                    .until(() -> run(probe.training(), runId),
                            r -> r.path("status").asText().equals("running") && r.path("attempts").asInt() == claim);
            ServiceProcess executing = owner(claimed);
            assertThat(executing).as("the instance executing attempt %d: %s", claim, claimed).isNotNull();
            stack.kill(executing);
            trainingSettings.remove(executing);
            trainingSettings.put(stack.startInstance(TRAINING, settings.trainingPort(), capped), capped);
        }

        JsonNode failed = await().atMost(Duration.ofMinutes(5)).ignoreExceptions()
                .until(() -> run(probe.training(), runId), r -> ENDED.contains(r.path("status").asText()));
        assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("failed");
        assertThat(failed.path("attempts").asInt()).isEqualTo(F5_MAX_ATTEMPTS);
        assertThat(failed.path("interruptedAttempts").asInt()).isEqualTo(F5_MAX_ATTEMPTS);
        String reason = failed.path("failureReason").asText();
        assertThat(reason).contains("interrupted in each of its " + F5_MAX_ATTEMPTS + " attempts",
                "training.max-attempts=" + F5_MAX_ATTEMPTS);

        JsonNode nextRun = await().atMost(Duration.ofMinutes(6)).ignoreExceptions()
                .until(() -> run(probe.training(), nextRunId), r -> ENDED.contains(r.path("status").asText()));
        assertThat(nextRun.path("status").asText()).as("the run queued behind it: %s", nextRun).isEqualTo("succeeded");

        List<JsonNode> failures = values(probe.records(Topics.TRAINING_FAILED, runId));
        assertThat(distinct(failures, e -> e.path("eventId").asText())).as("training.failed for the run").hasSize(1);
        assertThat(failures.get(0).path("reason").asText()).isEqualTo(reason);
        assertThat(probe.records(Topics.TRAINING_COMPLETED, runId)).as("training.completed for the run").isEmpty();
        assertThat(values(probe.records(Topics.TRAINING_CHECKPOINTS, runId)))
                .as("a candidate of the failed run").noneMatch(e -> e.path("best").asBoolean());
        assertThat(probe.deadLetters()).as("records in the dead-letter topics").isEqualTo(deadLettersBefore);
    }

    // ---- the pipeline's outcome, read from the topics and the REST APIs

    /**
     * Versions 1 to {@code versions} of the data set each have one run, which succeeded, one completion, one
     * candidate, one evaluation (on the topic and in evaluation-service) and one decision (one event on
     * models.promoted or models.rejected, one model version in the registry). Events are counted by their
     * ids: a producer retry may put one event on a topic twice; its consumer must apply it once.
     */
    private void assertOnePerVersion(String dataset, int versions) throws Exception {
        JsonNode runs = probe.runs(dataset);
        Map<Integer, List<JsonNode>> runsPerVersion = new TreeMap<>();
        runs.forEach(r -> runsPerVersion.computeIfAbsent(r.path("datasetVersion").asInt(), v -> new ArrayList<>()).add(r));
        assertThat(runsPerVersion.keySet()).as("versions with runs").containsExactlyElementsOf(
                IntStream.rangeClosed(1, versions).boxed().toList());
        runsPerVersion.forEach((version, of) -> {
            assertThat(of).as("runs of version %d", version).hasSize(1);
            assertThat(of.get(0).path("status").asText()).as("run of version %d", version).isEqualTo("succeeded");
        });

        Map<String, Set<String>> completions = perVersion(probe.events(Topics.TRAINING_COMPLETED, dataset), "eventId");
        Map<String, Set<String>> candidates = perVersion(probe.events(Topics.TRAINING_CHECKPOINTS, dataset).stream()
                .filter(e -> e.path("best").asBoolean()).toList(), "eventId");
        Map<String, Set<String>> evaluations = perVersion(probe.events(Topics.EVALUATIONS_COMPLETED, dataset), "evaluationId");
        List<JsonNode> decided = new ArrayList<>(probe.events(Topics.MODELS_PROMOTED, dataset));
        decided.addAll(probe.events(Topics.MODELS_REJECTED, dataset));
        Map<String, Set<String>> decisions = perVersion(decided, "eventId");
        for (int v = 1; v <= versions; v++) {
            String correlation = dataset + "-v" + v;
            assertThat(completions.get(correlation)).as("training.completed for %s", correlation).hasSize(1);
            assertThat(candidates.get(correlation)).as("candidates (best) on training.checkpoints for %s", correlation)
                    .hasSize(1);
            assertThat(evaluations.get(correlation)).as("evaluations.completed for %s", correlation).hasSize(1);
            assertThat(decisions.get(correlation)).as("decisions on models.promoted/rejected for %s", correlation)
                    .hasSize(1);
        }
        assertThat(StackProbe.get(probe.evaluations() + "/evaluations?model=" + dataset)).as("evaluations stored")
                .hasSize(versions);
        assertThat(StackProbe.get(probe.registry() + "/models/" + dataset).path("versions")).as("model versions")
                .hasSize(versions);
    }

    private static Map<String, Set<String>> perVersion(List<JsonNode> events, String idField) {
        return events.stream().collect(Collectors.groupingBy(e -> e.path("correlationId").asText(), TreeMap::new,
                Collectors.mapping(e -> e.path(idField).asText(), Collectors.toCollection(TreeSet::new))));
    }

    /** The registry has a model version trained on data set version {@code n}, so it has decided on it. */
    private boolean decided(String dataset, int n) throws Exception {
        JsonNode model = StackProbe.get(probe.registry() + "/models/" + dataset);
        if (model == null) {
            return false;
        }
        for (JsonNode version : model.path("versions")) {
            if (version.path("lineage").path("datasetVersion").asInt() == n) {
                return true;
            }
        }
        return false;
    }

    /** How many times each source id occurs in the version's three splits (downloaded from dataset-service). */
    private Map<String, Long> sourceIdsIn(String dataset, int version) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String split : List.of("train", "validation", "test")) {
            byte[] gzipped = StackProbe.download(probe.datasets() + "/datasets/" + dataset + "/versions/" + version
                    + "/splits/" + split);
            if (gzipped == null) {
                continue; // an empty split
            }
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                    new GZIPInputStream(new ByteArrayInputStream(gzipped)), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    ids.add(JSON.readTree(line).path("sourceId").asText("(none)"));
                }
            }
        }
        return ids.stream().collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
    }

    // ---- runs and training instances

    /** The run as {@code GET /runs/{id}} on {@code training} shows it (its {@code run} part). */
    private static JsonNode run(String training, String runId) throws Exception {
        JsonNode detail = StackProbe.get(training + "/runs/" + runId);
        if (detail == null) {
            throw new IllegalStateException(training + " did not show run " + runId);
        }
        return detail.path("run");
    }

    /** Epochs of the run evaluated on its validation split so far. */
    private int evaluatedEpochs(String runId) throws Exception {
        JsonNode detail = StackProbe.get(probe.training() + "/runs/" + runId);
        return detail == null ? 0 : detail.path("metricsHistory").size();
    }

    /** The id of the run on data set version {@code version} once training-service has queued it. */
    private String awaitRun(String dataset, int version) {
        return await().atMost(Duration.ofMinutes(5)).ignoreExceptions().until(() -> {
            for (JsonNode run : probe.runs(dataset)) {
                if (run.path("datasetVersion").asInt() == version) {
                    return run.path("id").asText();
                }
            }
            return null;
        }, Objects::nonNull);
    }

    /** The running training instance whose executor is the run's {@code owner} (process id, host and a random id). */
    private ServiceProcess owner(JsonNode run) {
        return owner(run.path("owner").asText(""));
    }

    private ServiceProcess owner(String owner) {
        return stack.instances(TRAINING).stream().filter(i -> owner.startsWith(i.pid() + "@")).findFirst().orElse(null);
    }

    /**
     * Exactly {@code count} training instances started with {@code extra} settings, one of them on the stack's
     * training port (which {@link StackProbe#training()} asks); others are stopped, missing ones started in
     * parallel.
     */
    private List<ServiceProcess> trainingInstances(int count, Map<String, String> extra) {
        List<ServiceProcess> keep = new ArrayList<>();
        for (ServiceProcess instance : stack.instances(TRAINING).stream()
                .sorted(Comparator.comparing(i -> i.port() == settings.trainingPort() ? 0 : 1)).toList()) {
            if (keep.size() < count && extra.equals(trainingSettings.get(instance))) {
                keep.add(instance);
            } else {
                stack.stop(instance);
                trainingSettings.remove(instance);
            }
        }
        List<CompletableFuture<ServiceProcess>> starting = new ArrayList<>();
        boolean defaultPortTaken = keep.stream().anyMatch(i -> i.port() == settings.trainingPort());
        for (int i = keep.size(); i < count; i++) {
            int port = defaultPortTaken ? FreePort.find() : settings.trainingPort();
            defaultPortTaken = true;
            starting.add(CompletableFuture.supplyAsync(() -> stack.startInstance(TRAINING, port, extra)));
        }
        for (CompletableFuture<ServiceProcess> instance : starting) {
            ServiceProcess started = instance.join();
            trainingSettings.put(started, extra);
            keep.add(started);
        }
        return keep;
    }

    // ---- topics

    /** The steps of the run's training.progress events, in the order the broker holds them (one partition: keyed by run). */
    private List<Integer> progressSteps(String runId) {
        return probe.records(Topics.TRAINING_PROGRESS, runId).stream()
                .sorted(Comparator.comparingLong(ConsumerRecord::offset))
                .map(r -> read(r.value()).path("step").asInt()).toList();
    }

    /** Records about the run on every training topic written after {@code timestamp}. */
    private List<ConsumerRecord<String, String>> recordsAfter(String runId, long timestamp) {
        return Stream.of(Topics.TRAINING_PROGRESS, Topics.TRAINING_CHECKPOINTS, Topics.TRAINING_COMPLETED,
                        Topics.TRAINING_FAILED)
                .flatMap(topic -> probe.records(topic, runId).stream())
                .filter(r -> r.timestamp() > timestamp).toList();
    }

    private static List<JsonNode> values(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(r -> read(r.value())).toList();
    }

    private static Set<String> distinct(List<JsonNode> events, Function<JsonNode, String> id) {
        return events.stream().map(id).collect(Collectors.toSet());
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- input

    private void upload(String dataset, List<ReviewGenerator.Review> reviews) throws Exception {
        StringBuilder jsonl = new StringBuilder();
        for (ReviewGenerator.Review review : reviews) {
            jsonl.append(JSON.writeValueAsString(Map.of("text", review.text(), "label", review.label()))).append('\n');
        }
        StackProbe.send("POST", probe.datasets() + "/datasets/" + dataset + "/versions", jsonl.toString(),
                "application/x-ndjson");
    }

    private KafkaProducer<String, String> producer() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** Sends the reviews on labels.ingest.team-a, keyed by the data set, a few milliseconds apart, as a stream. */
    private static void stream(KafkaProducer<String, String> producer, String dataset, List<ReviewGenerator.Review> reviews,
            List<String> sourceIds) throws Exception {
        for (int i = 0; i < reviews.size(); i++) {
            ObjectNode value = JSON.createObjectNode().put("text", reviews.get(i).text())
                    .put("label", reviews.get(i).label()).put("sourceId", sourceIds.get(i));
            producer.send(new ProducerRecord<>(Topics.labelsIngest(FinetuneRealm.TEAM_A), dataset, value.toString()))
                    .get(30, TimeUnit.SECONDS);
            TimeUnit.MILLISECONDS.sleep(10); // the pace of a stream, not a wait for an outcome
        }
    }

    /** The outage lasts {@link #OUTAGE} from {@code startedAt}: its length is the point, not a wait for a state. */
    private static void restOfOutage(long startedAt) throws InterruptedException {
        restOf(startedAt, OUTAGE);
    }

    private static void restOf(long startedAt, Duration outage) throws InterruptedException {
        long left = outage.toNanos() - (System.nanoTime() - startedAt);
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}

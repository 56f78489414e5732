package dev.finetune.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.testing.FreePort;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The whole cycle through the four services as separate processes on the real broker, S3Proxy and
 * PostgreSQL — the demo itself, on a smaller budget — with the training-service killed (SIGKILL) in
 * the middle of the first run: after its restart the run resumes from its checkpoint and the cycle
 * ends with exactly one promotion of the first version. Then every service is restarted with fresh
 * consumer groups, so every topic is replayed from offset 0: no data set version, run, evaluation,
 * model version or promotion appears.
 */
class CycleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void theDemoCycleSurvivesATrainingServiceKilledMidRun() throws Exception {
        Path root = Path.of(System.getProperty("devstack.root")).toAbsolutePath();
        StackSettings settings = new StackSettings(root, root.resolve("devstack/target/cycle-it"), "finetune_cycle_it",
                FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        String training = "http://localhost:" + settings.trainingPort();
        String registry = "http://localhost:" + settings.registryPort();

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
            JsonNode run = get(training + "/runs/" + runId).path("run");
            assertThat(run.path("status").asText()).isEqualTo("succeeded");
            assertThat(run.path("attempts").asInt()).as("resumed after the kill").isEqualTo(2);

            JsonNode audit = get(registry + "/models/" + demo.dataset() + "/audit");
            long promotionsOfV1 = 0;
            for (JsonNode move : audit) {
                if (move.path("toVersion").asInt() == 1) {
                    promotionsOfV1++;
                }
            }
            assertThat(promotionsOfV1).isEqualTo(1);

            // Replay: every service restarted with fresh consumer groups reads every topic from offset 0.
            String datasets = "http://localhost:" + settings.datasetPort();
            String evaluations = "http://localhost:" + settings.evaluationPort();
            // First let the pipeline settle: every run ended, and each candidate evaluated and decided.
            await().atMost(Duration.ofMinutes(5)).until(() -> {
                JsonNode runs = get(training + "/runs?dataset=" + demo.dataset());
                boolean ended = runs.size() == 2;
                for (JsonNode r : runs) {
                    ended &= List.of("succeeded", "failed", "cancelled").contains(r.path("status").asText());
                }
                return ended;
            });
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
                for (String group : List.of("training-service", "evaluation-service", "registry-service")) {
                    await().atMost(Duration.ofMinutes(3)).until(() -> caughtUp(admin, group));
                }
            }
            String before = state(datasets, training, evaluations, registry, demo.dataset());
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
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
                for (String group : List.of("dataset-replay", "training-replay", "evaluation-replay", "registry-replay")) {
                    await().atMost(Duration.ofMinutes(3)).until(() -> caughtUp(admin, group));
                }
            }
            assertThat(state(datasets, training, evaluations, registry, demo.dataset()))
                    .as("versions, runs, evaluations, model versions and alias moves after the replay").isEqualTo(before);
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("promoted " + "reviews-").contains("== 3. Predictions").contains("training-service killed");
    }

    /** What a replay must not change: counts of versions, runs, evaluations, model versions, alias moves. */
    private static String state(String datasets, String training, String evaluations, String registry, String name)
            throws Exception {
        return "versions=" + get(datasets + "/datasets/" + name + "/versions").size()
                + " runs=" + get(training + "/runs?dataset=" + name).size()
                + " evaluations=" + get(evaluations + "/evaluations?model=" + name).size()
                + " modelVersions=" + get(registry + "/models/" + name).path("versions").size()
                + " aliasMoves=" + get(registry + "/models/" + name + "/audit").size();
    }

    /** The group has committed offsets and they reach the end of every partition it reads. */
    private static boolean caughtUp(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        if (committed.isEmpty()) {
            return false;
        }
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get();
        return committed.entrySet().stream().allMatch(e -> e.getValue() != null
                && e.getValue().offset() >= ends.get(e.getKey()).offset());
    }

    /** The id of the data set's first run once it has a resumable checkpoint, else null. */
    private static String resumableRun(String training, String dataset) throws Exception {
        JsonNode runs = get(training + "/runs?dataset=" + dataset);
        if (runs == null || runs.isEmpty()) {
            return null;
        }
        String id = runs.get(runs.size() - 1).path("id").asText();
        JsonNode detail = get(training + "/runs/" + id);
        for (JsonNode checkpoint : detail.path("checkpoints")) {
            if (checkpoint.path("reason").asText().equals("epoch_end")
                    && detail.path("run").path("status").asText().equals("running")) {
                return id;
            }
        }
        return null;
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }
}

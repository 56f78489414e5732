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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The whole cycle through the four services as separate processes on the real broker, S3Proxy and
 * PostgreSQL — the demo itself, on a smaller budget — with the training-service killed (SIGKILL) in
 * the middle of the first run: after its restart the run resumes from its checkpoint and the cycle
 * ends with exactly one promotion of the first version.
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
            JsonNode model = get(registry + "/models/" + demo.dataset());
            assertThat(model.path("versions").size()).isEqualTo(2);
        }
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("promoted " + "reviews-").contains("== 3. Predictions").contains("training-service killed");
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

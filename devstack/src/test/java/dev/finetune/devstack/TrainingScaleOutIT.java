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
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two training-service processes in one consumer group, as {@code --scale training-service=2} runs them:
 * two data sets prepared at once are trained one by each instance, and neither run is executed twice.
 */
class TrainingScaleOutIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void twoInstancesShareTwoDataSetsAndNoRunIsExecutedTwice() throws Exception {
        Path root = Path.of(System.getProperty("devstack.root")).toAbsolutePath();
        StackSettings settings = new StackSettings(root, root.resolve("devstack/target/scale-it"), "finetune_scale_it",
                FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        String datasets = "http://localhost:" + settings.datasetPort();
        String training = "http://localhost:" + settings.trainingPort();
        int secondPort = FreePort.find();

        try (DevStack stack = new DevStack(settings, new PrintStream(printed, true, StandardCharsets.UTF_8)).start()) {
            stack.startInstance("training-service", secondPort);
            String suffix = UUID.randomUUID().toString().substring(0, 8);
            List<String> names = List.of("scale-a-" + suffix, "scale-b-" + suffix);
            for (String name : names) {
                send("PUT", training + "/training-configs/" + name, """
                        {"strategy": "full", "epochs": 2, "batchSize": 16, "maxLength": 16, "earlyStoppingPatience": 0}""");
            }
            for (String name : names) {
                StringBuilder jsonl = new StringBuilder();
                for (ReviewGenerator.Review review : ReviewGenerator.generate(90, name.hashCode())) {
                    jsonl.append(JSON.writeValueAsString(Map.of("text", review.text(), "label", review.label()))).append('\n');
                }
                send("POST", datasets + "/datasets/" + name + "/versions", jsonl.toString(), "application/x-ndjson");
            }

            await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(2)).until(() ->
                    names.stream().allMatch(name -> "succeeded".equals(onlyRun(training, name).path("status").asText())));
            JsonNode first = onlyRun(training, names.get(0));
            JsonNode second = onlyRun("http://localhost:" + secondPort, names.get(1)); // either instance answers
            assertThat(first.path("attempts").asInt()).isEqualTo(1);
            assertThat(second.path("attempts").asInt()).isEqualTo(1);
            assertThat(first.path("executedBy").asText()).isNotBlank()
                    .isNotEqualTo(second.path("executedBy").asText());
        }
    }

    /** The data set's single run (fails if there is more than one). */
    private static JsonNode onlyRun(String training, String dataset) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create(training + "/runs?dataset=" + dataset)).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode runs = JSON.readTree(response.body());
            assertThat(runs.size()).as("runs of %s", dataset).isLessThanOrEqualTo(1);
            return runs.isEmpty() ? JSON.nullNode() : runs.get(0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(String method, String url, String body) throws Exception {
        send(method, url, body, "application/json");
    }

    private static void send(String method, String url, String body, String contentType) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
    }
}

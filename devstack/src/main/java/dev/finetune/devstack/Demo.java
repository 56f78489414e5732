package dev.finetune.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.finetune.events.Topics;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaAccess;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The whole fine-tuning cycle against a started stack, through the services' public interfaces only
 * (REST and Kafka): a labelled review data set is uploaded, prepared, trained, evaluated and promoted;
 * predictions come from the promoted version; then more labels stream in on team-a's {@code labels.ingest.team-a}, cut a
 * new version, and the second model is promoted or rejected with the policy's reasons.
 */
final class Demo {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CYCLE_TIMEOUT = Duration.ofMinutes(20);

    /**
     * How much data and training the cycle uses.
     *
     * @param uploaded examples in the first upload
     * @param streamed examples streamed on labels.ingest.team-a afterwards (the trigger fires on exactly this many)
     */
    record Budget(int uploaded, int streamed, int epochs, int maxLength) {
        /** Trains in a few minutes on 2 cores: full fine-tuning of every weight, short reviews. */
        static final Budget DEMO = new Budget(300, 150, 2, 32);

        String trainingConfig() {
            return "{\"strategy\": \"full\", \"epochs\": " + epochs + ", \"batchSize\": 16, \"maxLength\": "
                    + maxLength + ", \"learningRate\": 1e-4, \"earlyStoppingPatience\": 0}";
        }
    }

    private final DevStack stack;
    private final PrintStream out;
    private final Budget budget;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private SignIn pipeline;
    private SignIn predictor;
    private final String dataset = "reviews-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));

    Demo(DevStack stack, PrintStream out, Budget budget) {
        this.stack = stack;
        this.out = out;
        this.budget = budget;
    }

    String dataset() {
        return dataset;
    }

    /** Returns the process exit status: 0 when the cycle ended with a promoted model and working predictions. */
    int run() throws Exception {
        StackSettings s = stack.settings();
        String datasets = "http://localhost:" + s.datasetPort();
        String training = "http://localhost:" + s.trainingPort();
        String registry = "http://localhost:" + s.registryPort();

        section("0. Sign in (Keycloak " + stack.keycloak().issuer() + ")");
        pipeline = SignIn.client(stack.keycloak(), FinetuneRealm.PIPELINE_CLIENT);
        predictor = SignIn.user(stack.keycloak(), "predictor-a");
        pipeline.authorization();
        predictor.authorization();
        out.println("the pipeline client '" + pipeline.name() + "' (client credentials; contributor of team-a) uploads"
                + " and configures; '" + predictor.name() + "' (password grant; predictor) asks for predictions");

        section("1. Upload a labelled data set: " + dataset);
        send("PUT", training + "/training-configs/" + dataset, budget.trainingConfig(), 200);
        send("PUT", datasets + "/datasets/" + dataset + "/trigger", "{\"newExamples\": " + budget.streamed()
                + ", \"partialExamples\": " + budget.streamed() + ", \"partialAfter\": \"PT10M\"}", 200);
        List<ReviewGenerator.Review> reviews = ReviewGenerator.generate(budget.uploaded() + budget.streamed(), 1);
        StringBuilder jsonl = new StringBuilder();
        for (ReviewGenerator.Review review : reviews.subList(0, budget.uploaded())) {
            jsonl.append(JSON.writeValueAsString(Map.of("text", review.text(), "label", review.label()))).append('\n');
        }
        JsonNode version = send("POST", datasets + "/datasets/" + dataset + "/versions", jsonl.toString(), 201,
                "application/x-ndjson");
        out.printf("version %d: %d examples, splits %s, labels %s%n", version.path("version").asInt(),
                version.path("examples").asInt(), version.path("perSplit"), version.path("perLabel"));

        section("2. Prepared -> trained -> evaluated -> promoted");
        JsonNode first = awaitDecision(registry, training, 1);
        if (!"promoted".equals(first.path("status").asText())) {
            out.println("the first model was not promoted: " + failedRules(first));
            return 1;
        }
        out.printf("promoted %s v%d  metrics %s%n", dataset, first.path("version").asInt(), first.path("metrics"));

        section("3. Predictions from the production model");
        JsonNode predictions = predict(registry, List.of("This blender broke after two days and I want a refund.",
                "Honestly, the headphones exceeded my expectations!", "The kettle is average."));
        out.printf("from v%d:%n", predictions.path("version").asInt());
        for (JsonNode p : predictions.path("predictions")) {
            out.printf("  %-9s %s%n", p.path("label").asText(), p.path("scores"));
        }

        section("4. More labels stream in on labels.ingest.team-a (signed in as team-a's pipeline principal)");
        streamLabels(reviews.subList(budget.uploaded(), reviews.size()));
        out.printf("sent %d labelled reviews; the trigger (%d new examples) cuts version 2%n", budget.streamed(),
                budget.streamed());
        JsonNode second = awaitDecision(registry, training, 2);
        if ("promoted".equals(second.path("status").asText())) {
            out.printf("model v%d (data set v2) promoted: metrics %s%n", second.path("version").asInt(),
                    second.path("metrics"));
        } else {
            out.printf("model v%d (data set v2) rejected; production stays as it was. Failed rules:%n",
                    second.path("version").asInt());
            for (JsonNode rule : failedRules(second)) {
                out.printf("  %-26s actual %s, threshold %s %s%n", rule.path("rule").asText(), rule.path("actual"),
                        rule.path("threshold"), rule.path("detail").isMissingNode() ? "" : rule.path("detail").asText(""));
            }
        }
        JsonNode model = send("GET", registry + "/models/" + dataset, null, 200);
        out.printf("%nproduction: v%d (trained on data set v%d); audit: %s/models/%s/audit%n",
                model.path("production").path("version").asInt(),
                model.path("production").path("lineage").path("datasetVersion").asInt(), registry, dataset);
        return 0;
    }

    /**
     * Waits until the registry has decided on the model trained on data set version {@code n} (a run offers
     * one candidate, its best checkpoint), printing training progress meanwhile. A failed run ends the wait.
     */
    private JsonNode awaitDecision(String registry, String training, int n) throws Exception {
        long deadline = System.nanoTime() + CYCLE_TIMEOUT.toNanos();
        String lastLine = "";
        while (System.nanoTime() < deadline) {
            Optional<JsonNode> model = getQuietly(registry + "/models/" + dataset);
            if (model.isPresent()) {
                for (JsonNode version : model.get().path("versions")) {
                    if (version.path("lineage").path("datasetVersion").asInt() == n) {
                        return version;
                    }
                }
            }
            Optional<String> failure = failedRun(training, n);
            if (failure.isPresent()) {
                throw new IllegalStateException("the run on data set version " + n + " " + failure.get());
            }
            String line = progressLine(training, n);
            if (!line.equals(lastLine)) {
                out.println(line);
                lastLine = line;
            }
            Thread.sleep(2000); // polling the public API: the demo is a client like any other
        }
        throw new IllegalStateException("no decision on data set version " + n + " of " + dataset + " within "
                + CYCLE_TIMEOUT);
    }

    /** How the run on data set version {@code n} ended, when it failed or was cancelled. */
    private Optional<String> failedRun(String training, int n) throws Exception {
        Optional<JsonNode> runs = getQuietly(training + "/runs?dataset=" + dataset);
        for (JsonNode run : runs.orElse(JSON.createArrayNode())) {
            String status = run.path("status").asText();
            if (run.path("datasetVersion").asInt() == n && (status.equals("failed") || status.equals("cancelled"))) {
                return Optional.of(status + ": " + run.path("failureReason").asText(""));
            }
        }
        return Optional.empty();
    }

    /** The state of the run on data set version {@code n} (a data set's earlier runs are not this one). */
    private String progressLine(String training, int n) throws Exception {
        Optional<JsonNode> runs;
        try {
            runs = get(training + "/runs?dataset=" + dataset + "&limit=1");
        } catch (IOException unreachable) {
            return "  training-service unreachable (" + unreachable.getClass().getSimpleName() + "); waiting";
        }
        if (runs.isEmpty() || runs.get().isEmpty() || runs.get().get(0).path("datasetVersion").asInt() != n) {
            return "  waiting for datasets.prepared (data set v" + n + ")...";
        }
        JsonNode run = runs.get().get(0);
        String status = run.path("status").asText();
        return switch (status) {
            case "running" -> run.path("totalSteps").asLong() == 0
                    ? "  training run " + run.path("id").asText().substring(0, 8) + ": starting (loading the model)"
                    : String.format("  training run %s: step %d/%d, loss %.3f, %.1f samples/s",
                    run.path("id").asText().substring(0, 8), run.path("step").asLong(), run.path("totalSteps").asLong(),
                    run.path("loss").asDouble(), run.path("samplesPerSecond").asDouble());
            case "succeeded" -> "  training done (best " + run.path("bestMetrics") + "); evaluating and deciding...";
            default -> "  training run " + run.path("id").asText().substring(0, 8) + ": " + status
                    + (run.path("failureReason").isNull() ? "" : " (" + run.path("failureReason").asText() + ")");
        };
    }

    /** Predictions from the production version; 503 (still loading the new version) is retried as the API asks. */
    private JsonNode predict(String registry, List<String> inputs) throws Exception {
        String body = JSON.writeValueAsString(Map.of("inputs", inputs));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create(registry + "/models/" + dataset + "/predict")).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "application/json").header("Authorization", predictor.authorization())
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return JSON.readTree(response.body());
            }
            if (response.statusCode() != 503 || System.nanoTime() > deadline) {
                throw new IOException("predict answered " + response.statusCode() + ": " + response.body());
            }
            long retryAfter = response.headers().firstValueAsLong("Retry-After").orElse(2);
            Thread.sleep(retryAfter * 1000); // the server said when to come back
        }
    }

    /**
     * As team-a's labelling pipeline would: signed in as {@code pipeline-team-a}, which may write
     * labels.ingest.team-a only.
     */
    private void streamLabels(List<ReviewGenerator.Review> reviews) throws Exception {
        Properties config = new Properties();
        config.putAll(stack.kafkaClientConfig(KafkaAccess.pipeline(FinetuneRealm.TEAM_A)));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                new StringSerializer())) {
            int i = 0;
            for (ReviewGenerator.Review review : reviews) {
                ObjectNode value = JSON.createObjectNode().put("text", review.text()).put("label", review.label())
                        .put("sourceId", "demo-" + i++);
                producer.send(new ProducerRecord<>(Topics.labelsIngest(FinetuneRealm.TEAM_A), dataset, value.toString()));
            }
            producer.flush();
        }
    }

    private static List<JsonNode> failedRules(JsonNode version) {
        List<JsonNode> failed = new java.util.ArrayList<>();
        version.path("decision").forEach(rule -> {
            if (!rule.path("passed").asBoolean()) {
                failed.add(rule);
            }
        });
        return failed;
    }

    private void section(String title) {
        out.println();
        out.println("== " + title);
    }

    private Optional<JsonNode> getQuietly(String url) throws Exception {
        try {
            return get(url);
        } catch (IOException unreachable) {
            return Optional.empty();
        }
    }

    private Optional<JsonNode> get(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", pipeline.authorization()).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? Optional.of(JSON.readTree(response.body())) : Optional.empty();
    }

    private JsonNode send(String method, String url, String body, int expected) throws Exception {
        return send(method, url, body, expected, "application/json");
    }

    private JsonNode send(String method, String url, String body, int expected, String contentType) throws Exception {
        Supplier<HttpRequest.BodyPublisher> publisher = () -> body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", contentType).header("Authorization", pipeline.authorization())
                .method(method, publisher.get()).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IOException(method + " " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
    }
}

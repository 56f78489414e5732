package dev.finetune.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.events.Topics;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.FreePort;
import dev.finetune.testing.KeycloakServer;
import dev.finetune.testing.PostgresServer;
import dev.finetune.testing.TopicSnapshot;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The load figures of docs/benchmarks.md, each measured on a fresh local stack (own state directory,
 * own database, free ports) with the services as separate processes:
 * <ul>
 * <li>{@code ingest [records]}: labelled records streamed on {@code labels.ingest.team-a}; the ingestion rate and the
 * time until {@code datasets.prepared} announces the version they make;</li>
 * <li>{@code training [datasets] [instances...]}: that many data sets uploaded at once, with each number of
 * training-service instances in turn; every run must complete exactly once; the time until the queue drained
 * and how the runs were shared;</li>
 * <li>{@code overhead [repeats]}: time from upload to {@code models.promoted} minus the training and
 * evaluation compute the services report;</li>
 * <li>{@code serving [rows]}: a promoted model's {@code /predict} through REST (latency of one short review, texts per
 * second at batch 32 with one and two clients) and a batch prediction of that many short reviews (rows per second,
 * the registry's resident memory while it runs).</li>
 * </ul>
 */
public final class LoadBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    // One Keycloak for every scenario (it takes 30 s to minutes to start); the benchmark acts as operator-a.
    private static KeycloakServer keycloak;
    private static SignIn operator;
    /** A small, fast training budget: the load scenarios measure the pipeline, not fine-tuning. */
    private static final String SMALL_TRAINING = "{\"strategy\": \"full\", \"epochs\": 1, \"batchSize\": 16, "
            + "\"maxLength\": 24, \"learningRate\": 1e-4, \"earlyStoppingPatience\": 0}";
    private static final Pattern SCORED = Pattern.compile("of run (\\S+) scored on \\d+ examples in ([0-9.]+)s");

    private final Path root;
    private final PrintStream out;

    private LoadBenchmark(Path root, PrintStream out) {
        this.root = root;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("devstack.root", ".")).toAbsolutePath().normalize();
        LoadBenchmark benchmark = new LoadBenchmark(root, System.out);
        String scenario = args.length == 0 ? "" : args[0];
        switch (scenario) {
            case "ingest" -> benchmark.ingest(args.length > 1 ? Integer.parseInt(args[1]) : 100_000);
            case "training" -> benchmark.training(args.length > 1 ? Integer.parseInt(args[1]) : 10,
                    args.length > 2 ? Stream.of(args).skip(2).map(Integer::parseInt).toList() : List.of(1, 2, 3));
            case "overhead" -> benchmark.overhead(args.length > 1 ? Integer.parseInt(args[1]) : 5);
            case "serving" -> benchmark.serving(args.length > 1 ? Integer.parseInt(args[1]) : 100_000);
            default -> {
                System.err.println("usage: bench-load.sh ingest [records] | training [datasets] [instances...]"
                        + " | overhead [repeats] | serving [rows]");
                System.exit(2);
            }
        }
        System.exit(0);
    }

    // ---- ingest ----------------------------------------------------------------------------------------

    private void ingest(int records) throws Exception {
        try (DevStack stack = freshStack("ingest")) {
            StackSettings s = stack.settings();
            String dataset = "load-ingest-" + System.currentTimeMillis();
            send("PUT", datasets(s) + "/datasets/" + dataset + "/trigger", "{\"newExamples\": " + records
                    + ", \"partialExamples\": " + records + ", \"partialAfter\": \"PT1H\"}");
            send("PUT", training(s) + "/training-configs/" + dataset, SMALL_TRAINING);
            List<ReviewGenerator.Review> reviews = ReviewGenerator.generate(3_000, 7);

            try (KafkaConsumer<String, String> prepared = endOf(s, Topics.DATASETS_PREPARED);
                    KafkaProducer<String, String> producer = producer(s)) {
                long start = System.nanoTime();
                // The topic is new, so the group has consumed them all when its offsets add up to the count.
                CompletableFuture<Double> consumed = CompletableFuture.supplyAsync(
                        () -> awaitCommitted(s, "dataset-service", Topics.labelsIngest(FinetuneRealm.TEAM_A), records,
                                start));
                for (int i = 0; i < records; i++) {
                    ReviewGenerator.Review review = reviews.get(i % reviews.size());
                    // A reference number keeps every text distinct, so de-duplication keeps every record.
                    String value = JSON.createObjectNode().put("text", review.text() + " Order " + i + ".")
                            .put("label", review.label()).put("sourceId", "load-" + i).toString();
                    producer.send(new ProducerRecord<>(Topics.labelsIngest(FinetuneRealm.TEAM_A), dataset, value));
                }
                producer.flush();
                double produced = seconds(start);
                out.printf("produced %,d records in %.1f s (%,.0f records/s)%n", records, produced, records / produced);

                JsonNode event = awaitEvent(prepared, dataset, Duration.ofMinutes(30));
                double toPrepared = seconds(start);
                double consumedSeconds = consumed.get();
                out.printf("dataset-service consumed and stored them in %.1f s from the first record (%,.0f records/s)%n",
                        consumedSeconds, records / consumedSeconds);
                out.printf("datasets.prepared %.1f s after the first record, %.1f s after the last was acknowledged;"
                        + " version %d: %s%n", toPrepared, toPrepared - produced, event.path("version").asInt(),
                        splits(event));
            }
        }
    }

    private static String splits(JsonNode prepared) {
        Map<String, Integer> counts = new TreeMap<>();
        prepared.path("splits").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().path("examples").asInt()));
        return counts.toString();
    }

    // ---- training --------------------------------------------------------------------------------------

    private void training(int datasetCount, List<Integer> instanceCounts) throws Exception {
        List<String> summary = new ArrayList<>();
        for (int instances : instanceCounts) {
            try (DevStack stack = freshStack("training-" + instances)) {
                StackSettings s = stack.settings();
                for (int i = 1; i < instances; i++) {
                    stack.startInstance("training-service", FreePort.find());
                }
                long stamp = System.currentTimeMillis();
                List<String> names = new ArrayList<>();
                for (int i = 0; i < datasetCount; i++) {
                    String name = "load-train-" + i + "-" + stamp;
                    names.add(name);
                    send("PUT", training(s) + "/training-configs/" + name, SMALL_TRAINING);
                }
                long start = System.nanoTime();
                List<CompletableFuture<Void>> uploads = new ArrayList<>();
                for (int i = 0; i < datasetCount; i++) {
                    String name = names.get(i);
                    String body = jsonl(ReviewGenerator.generate(90, 100 + i));
                    uploads.add(CompletableFuture.runAsync(() -> upload(s, name, body)));
                }
                uploads.forEach(CompletableFuture::join);
                Map<String, JsonNode> runs = awaitRunsEnded(s, names, Duration.ofMinutes(40));
                double drained = seconds(start);

                Map<String, Integer> perInstance = new TreeMap<>();
                int succeededOnce = 0;
                for (JsonNode run : runs.values()) {
                    perInstance.merge(run.path("executedBy").asText("?"), 1, Integer::sum);
                    if (run.path("status").asText().equals("succeeded") && run.path("attempts").asInt() == 1) {
                        succeededOnce++;
                    }
                }
                Map<String, Integer> completions = completionsPerRun(s, runs);
                boolean exactlyOnce = completions.size() == datasetCount
                        && completions.values().stream().allMatch(c -> c == 1);
                String line = String.format("%d instance(s): %d data sets, %d runs succeeded on their first attempt,"
                        + " training.completed exactly once per run: %s; queue drained in %.1f s; runs per instance %s",
                        instances, datasetCount, succeededOnce, exactlyOnce, drained, perInstance.values());
                out.println(line);
                summary.add(line);
            }
        }
        out.println();
        summary.forEach(out::println);
    }

    /** Each data set's single run once it has ended; fails when a data set gets a second run. */
    private Map<String, JsonNode> awaitRunsEnded(StackSettings s, List<String> names, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, JsonNode> ended = new HashMap<>();
            for (String name : names) {
                JsonNode runs = get(training(s) + "/runs?dataset=" + name);
                if (runs != null && runs.size() > 1) {
                    throw new IllegalStateException(name + " has " + runs.size() + " runs");
                }
                if (runs != null && runs.size() == 1
                        && List.of("succeeded", "failed", "cancelled").contains(runs.get(0).path("status").asText())) {
                    ended.put(name, runs.get(0));
                }
            }
            if (ended.size() == names.size()) {
                return ended;
            }
            Thread.sleep(500); // polling the public API
        }
        throw new IllegalStateException("the runs did not all end within " + timeout);
    }

    /** How many training.completed records each run has on the topic. */
    private Map<String, Integer> completionsPerRun(StackSettings s, Map<String, JsonNode> runs) {
        List<String> ids = runs.values().stream().map(r -> r.path("id").asText()).toList();
        Map<String, Integer> counts = new HashMap<>();
        for (ConsumerRecord<String, String> record : TopicSnapshot.read(s.bootstrapServers(), Topics.TRAINING_COMPLETED)) {
            if (ids.contains(record.key())) {
                counts.merge(record.key(), 1, Integer::sum);
            }
        }
        return counts;
    }

    // ---- overhead --------------------------------------------------------------------------------------

    private void overhead(int repeats) throws Exception {
        List<Double> overheads = new ArrayList<>();
        try (DevStack stack = freshStack("overhead")) {
            StackSettings s = stack.settings();
            Path evaluationLog = s.logDirectory().resolve("evaluation-service.log");
            for (int i = 0; i < repeats; i++) {
                String name = "load-overhead-" + i + "-" + System.currentTimeMillis();
                send("PUT", training(s) + "/training-configs/" + name, SMALL_TRAINING);
                // The first model of a data set is judged by absolute thresholds only; opened wide, so every
                // cycle ends in models.promoted (a tiny model's calibration can fail the default maxEce).
                send("PUT", registry(s) + "/models/" + name + "/policy", "{\"minAccuracy\": 0.0, \"minMacroF1\": 0.0, "
                        + "\"maxEce\": 1.0, \"maxLatencyP95Ms\": 60000}");
                String body = jsonl(ReviewGenerator.generate(90, 200 + i));
                try (KafkaConsumer<String, String> promoted = endOf(s, Topics.MODELS_PROMOTED)) {
                    long start = System.nanoTime();
                    upload(s, name, body);
                    awaitEvent(promoted, name, Duration.ofMinutes(15));
                    double total = seconds(start);
                    JsonNode run = get(training(s) + "/runs?dataset=" + name).get(0);
                    double trainingSeconds = Duration.between(Instant.parse(run.path("startedAt").asText()),
                            Instant.parse(run.path("finishedAt").asText())).toMillis() / 1000.0;
                    double evaluationSeconds = scoredSeconds(evaluationLog, run.path("id").asText());
                    double overhead = total - trainingSeconds - evaluationSeconds;
                    overheads.add(overhead);
                    out.printf("upload -> models.promoted %.2f s = training %.2f s + evaluation %.2f s + overhead %.2f s%n",
                            total, trainingSeconds, evaluationSeconds, overhead);
                }
            }
        }
        overheads.sort(Comparator.naturalOrder());
        out.printf("%noverhead over %d cycles: median %.2f s, min %.2f s, max %.2f s%n", overheads.size(),
                overheads.get(overheads.size() / 2), overheads.get(0), overheads.get(overheads.size() - 1));
    }

    /** The scoring time evaluation-service reports in its log for the run's candidate. */
    private static double scoredSeconds(Path log, String runId) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher matcher = SCORED.matcher(Files.readString(log));
            while (matcher.find()) {
                if (matcher.group(1).equals(runId)) {
                    return Double.parseDouble(matcher.group(2));
                }
            }
            Thread.sleep(200); // the log line may not be flushed yet
        }
        throw new IllegalStateException("evaluation-service logged no scoring time for run " + runId);
    }

    // ---- serving ---------------------------------------------------------------------------------------

    private void serving(int rows) throws Exception {
        try (DevStack stack = freshStack("serving")) {
            StackSettings s = stack.settings();
            String name = "load-serving-" + System.currentTimeMillis();
            send("PUT", training(s) + "/training-configs/" + name, SMALL_TRAINING);
            send("PUT", registry(s) + "/models/" + name + "/policy", "{\"minAccuracy\": 0.0, \"minMacroF1\": 0.0, "
                    + "\"maxEce\": 1.0, \"maxLatencyP95Ms\": 60000}");
            try (KafkaConsumer<String, String> promoted = endOf(s, Topics.MODELS_PROMOTED)) {
                upload(s, name, jsonl(ReviewGenerator.generate(90, 300)));
                awaitEvent(promoted, name, Duration.ofMinutes(15));
            }
            List<String> reviews = ReviewGenerator.generate(4_000, 301).stream().map(ReviewGenerator.Review::text).toList();
            String predict = registry(s) + "/models/" + name + "/predict";
            for (int i = 0; i < 30; i++) { // warm-up: JIT, the first ONNX Runtime runs
                post(predict, JSON.writeValueAsString(Map.of("inputs", reviews.subList(i * 32, i * 32 + 32))));
            }

            List<Double> single = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                long start = System.nanoTime();
                post(predict, JSON.writeValueAsString(Map.of("inputs", List.of(reviews.get(i)))));
                single.add((System.nanoTime() - start) / 1e6);
            }
            single.sort(Comparator.naturalOrder());
            out.printf("POST /predict, one short review, one client: p50 %.1f ms, p95 %.1f ms (%d requests)%n",
                    single.get(single.size() / 2), single.get(single.size() * 95 / 100), single.size());
            for (int clients : List.of(1, 2)) {
                int requestsEach = 60;
                long start = System.nanoTime();
                List<CompletableFuture<Void>> running = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    int offset = c * requestsEach * 32;
                    running.add(CompletableFuture.runAsync(() -> {
                        for (int r = 0; r < requestsEach; r++) {
                            int from = (offset + r * 32) % (reviews.size() - 32);
                            post(predict, json(Map.of("inputs", reviews.subList(from, from + 32))));
                        }
                    }));
                }
                running.forEach(CompletableFuture::join);
                double seconds = seconds(start);
                out.printf("POST /predict, batches of 32 short reviews, %d client(s): %.0f texts/s (%d requests in %.1f s)%n",
                        clients, clients * requestsEach * 32 / seconds, clients * requestsEach, seconds);
            }

            batchPrediction(s, stack, name, reviews, rows);
        }
    }

    /** A batch prediction of {@code rows} short reviews, with the registry's resident memory sampled while it runs. */
    private void batchPrediction(StackSettings s, DevStack stack, String model, List<String> reviews, int rows)
            throws Exception {
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            input.append(JSON.createObjectNode().put("id", i).put("text", reviews.get(i % reviews.size()) + " #" + i))
                    .append('\n');
        }
        long pid = stack.instances("registry-service").get(0).pid();
        long before = residentKib(pid);
        String jobs = registry(s) + "/models/" + model + "/batch-predictions";
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(jobs)).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/x-ndjson").header("Authorization", operator.authorization())
                .POST(HttpRequest.BodyPublishers.ofString(input.toString())).build(), HttpResponse.BodyHandlers.ofString());
        if (created.statusCode() != 202) {
            throw new IllegalStateException("batch prediction answered " + created.statusCode() + ": " + created.body());
        }
        String id = JSON.readTree(created.body()).path("id").asText();
        List<Long> resident = new ArrayList<>();
        JsonNode job;
        while (true) {
            job = get(jobs + "/" + id);
            resident.add(residentKib(pid));
            if (List.of("succeeded", "failed").contains(job.path("status").asText())) {
                break;
            }
            Thread.sleep(1000); // sampling memory and progress once a second
        }
        double seconds = Duration.between(Instant.parse(job.path("startedAt").asText()),
                Instant.parse(job.path("finishedAt").asText())).toMillis() / 1000.0;
        resident.sort(Comparator.naturalOrder());
        out.printf("batch prediction of %,d short reviews (%.1f MB of JSONL): %s in %.1f s, %.0f rows/s;"
                        + " registry RSS before %d MiB, while running min %d / median %d / max %d MiB (%d samples)%n",
                rows, input.length() / 1e6, job.path("status").asText(), seconds, job.path("rowsScored").asLong() / seconds,
                before / 1024, resident.get(0) / 1024, resident.get(resident.size() / 2) / 1024,
                resident.get(resident.size() - 1) / 1024, resident.size());
    }

    private static long residentKib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void post(String url, String body) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .header("Authorization", operator.authorization()).POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("POST " + url + " answered " + response.statusCode() + ": "
                        + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- shared ----------------------------------------------------------------------------------------

    /** A stack with an empty state directory and database, on free ports. */
    private DevStack freshStack(String scenario) {
        Path state = root.resolve(".devstack-bench").resolve(scenario);
        deleteRecursively(state);
        String database = "finetune_bench_" + scenario.replace('-', '_');
        PostgresServer.freshDatabase(database);
        StackSettings settings = new StackSettings(root, state, database, FreePort.find(), FreePort.find(),
                FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find());
        out.println("== " + scenario + " (state " + root.relativize(state) + ")");
        DevStack stack = new DevStack(settings, out).withKeycloak(keycloak(root));
        // Ctrl-C or SIGTERM in the middle of a scenario must not leave its processes behind.
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "bench-shutdown-" + scenario));
        return stack.start();
    }

    private static synchronized KeycloakServer keycloak(Path root) {
        if (keycloak == null) {
            keycloak = KeycloakServer.start(FreePort.find(), root.resolve(".devstack-bench").resolve("keycloak"));
            operator = SignIn.user(keycloak, FinetuneRealm.OPERATOR_A);
        }
        return keycloak;
    }

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + directory, e);
        }
    }

    private static String jsonl(List<ReviewGenerator.Review> reviews) {
        StringBuilder body = new StringBuilder();
        for (ReviewGenerator.Review review : reviews) {
            body.append(JSON.createObjectNode().put("text", review.text()).put("label", review.label())).append('\n');
        }
        return body.toString();
    }

    private static void upload(StackSettings s, String dataset, String jsonl) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create(datasets(s) + "/datasets/" + dataset + "/versions")).timeout(Duration.ofMinutes(2))
                    .header("Content-Type", "application/x-ndjson").header("Authorization", operator.authorization()).POST(HttpRequest.BodyPublishers.ofString(jsonl)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("upload of " + dataset + " answered " + response.statusCode() + ": "
                        + response.body());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void send(String method, String url, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Authorization", operator.authorization())
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + url + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", operator.authorization()).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }

    private static KafkaProducer<String, String> producer(StackSettings s) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** A consumer positioned at the current end of every partition of {@code topic}: it sees only what comes next. */
    private static KafkaConsumer<String, String> endOf(StackSettings s, String topic) {
        KafkaConsumer<String, String> consumer = consumer(s);
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolves the end offsets now, before anything is sent
        return consumer;
    }

    private static KafkaConsumer<String, String> consumer(StackSettings s) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
    }

    /** The next event keyed {@code key}, read as it arrives. */
    private static JsonNode awaitEvent(KafkaConsumer<String, String> consumer, String key, Duration timeout)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                if (key.equals(record.key())) {
                    return JSON.readTree(record.value());
                }
            }
        }
        throw new IllegalStateException("no event keyed " + key + " within " + timeout);
    }

    /** Seconds from {@code start} until {@code group}'s committed offsets on {@code topic} add up to {@code total}. */
    private static double awaitCommitted(StackSettings s, String group, String topic, long total, long start) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers()))) {
            while (true) {
                long committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().entrySet()
                        .stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset()).sum();
                if (committed >= total) {
                    return seconds(start);
                }
                Thread.sleep(100); // polling the group's offsets
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot read the offsets of " + group, e);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String datasets(StackSettings s) {
        return "http://localhost:" + s.datasetPort();
    }

    private static String training(StackSettings s) {
        return "http://localhost:" + s.trainingPort();
    }

    private static String registry(StackSettings s) {
        return "http://localhost:" + s.registryPort();
    }
}

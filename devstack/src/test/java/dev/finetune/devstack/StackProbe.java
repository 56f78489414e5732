package dev.finetune.devstack;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.events.Topics;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KeycloakServer;
import dev.finetune.testing.SharedInfrastructure;
import dev.finetune.testing.TopicSnapshot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * What the end-to-end tests read from a running stack through its public interfaces: the services' REST
 * APIs, consumer-group offsets, and the events on a topic.
 */
final class StackProbe {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<String> ENDED = List.of("succeeded", "failed", "cancelled");

    private static SignIn operator;

    private final StackSettings settings;

    StackProbe(StackSettings settings) {
        this.settings = settings;
    }

    /** The Keycloak the stack's tests share (one per test JVM); give it to the stack with {@code withKeycloak}. */
    static KeycloakServer keycloak() {
        return SharedInfrastructure.keycloak();
    }

    /** The person the stack's tests act as: operator-a of team-a (contributor, approver and predictor). */
    static synchronized SignIn operator() {
        if (operator == null) {
            operator = SignIn.user(keycloak(), FinetuneRealm.OPERATOR_A);
        }
        return operator;
    }

    String datasets() {
        return "http://localhost:" + settings.datasetPort();
    }

    String training() {
        return "http://localhost:" + settings.trainingPort();
    }

    String evaluations() {
        return "http://localhost:" + settings.evaluationPort();
    }

    String registry() {
        return "http://localhost:" + settings.registryPort();
    }

    /** The body of a 200 answer, else null (not found, or not ready yet). */
    static JsonNode get(String url) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30)).header("Authorization", operator().authorization()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    }

    /** Sends {@code body} and returns the answer's JSON (null when empty); fails on any status but 200, 201 and 202. */
    static JsonNode send(String method, String url, String body, String contentType) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", contentType).header("Authorization", operator().authorization())
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() < 200 || response.statusCode() > 202) {
            throw new IllegalStateException(method + " " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body().isBlank() ? null : JSON.readTree(response.body());
    }

    /** The body of a 200 answer as bytes (a download), else null. */
    static byte[] download(String url) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(60)).header("Authorization", operator().authorization()).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return response.statusCode() == 200 ? response.body() : null;
    }

    /** How many records the dead-letter topics of every consumer hold, all together. */
    int deadLetters() {
        return Topics.CONSUMED.stream().map(Topics.Consumed::deadLetterTopic).distinct()
                .mapToInt(topic -> TopicSnapshot.read(settings.bootstrapServers(), topic).size()).sum();
    }

    /** Every record on {@code topic} with key {@code key}, in the order the broker holds them. */
    List<ConsumerRecord<String, String>> records(String topic, String key) {
        return TopicSnapshot.read(settings.bootstrapServers(), topic).stream().filter(r -> key.equals(r.key())).toList();
    }

    /** The data set's runs, newest first. */
    JsonNode runs(String dataset) throws Exception {
        return get(training() + "/runs?dataset=" + dataset);
    }

    /** How many alias moves made a model version trained on data set version {@code datasetVersion} production. */
    long promotionsOf(String dataset, int datasetVersion) throws Exception {
        JsonNode model = get(registry() + "/models/" + dataset);
        List<Integer> trainedOnIt = new ArrayList<>();
        for (JsonNode version : model.path("versions")) {
            if (version.path("lineage").path("datasetVersion").asInt() == datasetVersion) {
                trainedOnIt.add(version.path("version").asInt());
            }
        }
        long moves = 0;
        for (JsonNode move : get(registry() + "/models/" + dataset + "/audit")) {
            if (trainedOnIt.contains(move.path("toVersion").asInt())) {
                moves++;
            }
        }
        return moves;
    }

    /**
     * Waits until the pipeline is quiet: {@code runs} runs of the data set have ended, and the training,
     * evaluation and registry consumers have committed every record on the topics they read.
     */
    void awaitSettled(String dataset, int runs) {
        await().atMost(Duration.ofMinutes(5)).until(() -> {
            JsonNode all = runs(dataset);
            boolean ended = all != null && all.size() == runs;
            for (JsonNode run : all == null ? JSON.createArrayNode() : all) {
                ended &= ENDED.contains(run.path("status").asText());
            }
            return ended;
        });
        awaitCaughtUp(List.of("training-service", "evaluation-service", "registry-service"));
    }

    void awaitCaughtUp(List<String> groups) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers()))) {
            for (String group : groups) {
                await().atMost(Duration.ofMinutes(3)).until(() -> caughtUp(admin, group));
            }
        }
    }

    /** The group has committed offsets and they reach the end of every partition it reads. */
    private static boolean caughtUp(Admin admin, String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        if (committed.isEmpty()) {
            return false;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        var ends = admin.listOffsets(latest).all().get();
        return committed.entrySet().stream().allMatch(e -> e.getValue() != null
                && e.getValue().offset() >= ends.get(e.getKey()).offset());
    }

    /** What a replay or an outage must not change: counts of versions, runs, evaluations, model versions, moves. */
    String state(String dataset) throws Exception {
        return "versions=" + get(datasets() + "/datasets/" + dataset + "/versions").size()
                + " runs=" + runs(dataset).size()
                + " evaluations=" + get(evaluations() + "/evaluations?model=" + dataset).size()
                + " modelVersions=" + get(registry() + "/models/" + dataset).path("versions").size()
                + " aliasMoves=" + get(registry() + "/models/" + dataset + "/audit").size();
    }

    /**
     * The trace ids in the {@code traceparent} headers of the records on {@code topic} that carry
     * {@code correlationId}: one data set version's flow is one trace.
     */
    Set<String> traceIds(String topic, String correlationId) throws Exception {
        Set<String> ids = new TreeSet<>();
        for (ConsumerRecord<String, String> record : TopicSnapshot.read(settings.bootstrapServers(), topic)) {
            Header correlation = record.headers().lastHeader("correlation-id");
            Header traceparent = record.headers().lastHeader("traceparent");
            if (correlation != null && correlationId.equals(new String(correlation.value(), StandardCharsets.UTF_8))) {
                // traceparent: version-traceid-spanid-flags
                ids.add(traceparent == null ? "none" : new String(traceparent.value(), StandardCharsets.UTF_8).split("-")[1]);
            }
        }
        return ids;
    }

    /**
     * Every event on {@code topic} about the data set (its correlation ids start with the data set's name),
     * read from offset 0 to the end as it is now. Chosen by the {@code correlation-id} header before the value is
     * read: on the stack {@link SharedStack} shares, other tests' records (malformed ones among them) are there too.
     */
    List<JsonNode> events(String topic, String dataset) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (ConsumerRecord<String, String> record : TopicSnapshot.read(settings.bootstrapServers(), topic)) {
            Header correlation = record.headers().lastHeader("correlation-id");
            if (correlation != null
                    && new String(correlation.value(), StandardCharsets.UTF_8).startsWith(dataset + "-v")) {
                events.add(JSON.readTree(record.value()));
            }
        }
        return events;
    }

}

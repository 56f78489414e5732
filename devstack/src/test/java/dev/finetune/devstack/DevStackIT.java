package dev.finetune.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.finetune.events.Topics;
import dev.finetune.testing.AccessContract;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.FreePort;
import dev.finetune.testing.KafkaAccess;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The local stack as a user and an operator run it: real broker, S3Proxy and PostgreSQL, the four services as
 * their own processes on free ports (so the test never meets a stack a developer has running), each ready.
 * A malformed record on every consumed topic lands in each consumer's dead-letter topic with the reason and
 * the services stay ready; each Kafka principal is held to its topics; every operation wants a real token with
 * its role; two training-service processes in one group share two data sets without executing a run twice.
 * The stack is the one {@link FaultsIT} uses ({@link SharedStack}); {@link CycleIT} checks that nothing outlives
 * a stack once it stops.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(SharedStack.Resolver.class)
class DevStackIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Map<String, SignIn> USERS = new java.util.concurrent.ConcurrentHashMap<>();

    private StackSettings settings;
    private DevStack stack;

    @BeforeAll
    void start(SharedStack shared) {
        settings = shared.settings;
        stack = shared.stack;
    }

    @Test
    void aMalformedRecordOnEachConsumedTopicIsDeadLetteredWithItsReasonAndTheServicesStayReady() {
        assertThat(stack.allReady()).isTrue();
        try (KafkaCompanion kafka = new KafkaCompanion(settings.bootstrapServers())) {
            String key = "poison-" + UUID.randomUUID().toString().substring(0, 8);
            // The labels.ingest family is consumed from every team's topic; team-a's stands for them.
            for (String topic : Topics.CONSUMED.stream().map(Topics.Consumed::topic).distinct()
                    .map(t -> t.equals(Topics.LABELS_INGEST) ? Topics.labelsIngest(FinetuneRealm.TEAM_A) : t).toList()) {
                kafka.produceStrings().fromRecords(new ProducerRecord<>(topic, key, "{\"truncated\": ")).awaitCompletion();
            }
            for (Topics.Consumed consumed : Topics.CONSUMED) {
                ConsumerRecord<String, String> dead = kafka.consumeStrings()
                        .fromTopics(consumed.deadLetterTopic(), all -> all.select().where(r -> key.equals(r.key()))
                                .select().first())
                        .awaitCompletion(Duration.ofSeconds(90)).getFirstRecord();
                assertThat(dead.value()).as(consumed.deadLetterTopic()).isEqualTo("{\"truncated\": ");
                Header reason = dead.headers().lastHeader("dead-letter-reason");
                assertThat(reason).as("reason header on %s", consumed.deadLetterTopic()).isNotNull();
                assertThat(new String(reason.value(), StandardCharsets.UTF_8)).isNotBlank();
            }
        }
        assertThat(stack.allReady()).as("every service ready after the malformed records").isTrue();
    }

    /**
     * Kafka's ACLs on the running stack (docs/operations.md#kafka-access): team-a's pipeline principal may produce
     * labels on its team's topic, but not on another team's nor another service's events, and a service may not read
     * a topic it does not consume.
     */
    @Test
    void eachKafkaPrincipalUsesOnlyTheTopicsItIsGranted() throws Exception {
        String key = "acl-" + UUID.randomUUID().toString().substring(0, 8);
        try (KafkaProducer<String, String> pipeline = new KafkaProducer<>(
                signedIn(KafkaAccess.pipeline(FinetuneRealm.TEAM_A)), new StringSerializer(), new StringSerializer())) {
            // Malformed on purpose: dataset-service dead-letters it, so the probe adds nothing to any data set.
            pipeline.send(new ProducerRecord<>(Topics.labelsIngest(FinetuneRealm.TEAM_A), key, "{\"truncated\": "))
                    .get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> pipeline.send(new ProducerRecord<>(Topics.labelsIngest(FinetuneRealm.TEAM_B), key,
                    "{}")).get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(TopicAuthorizationException.class);
            assertThatThrownBy(() -> pipeline.send(new ProducerRecord<>(Topics.DATASETS_PREPARED, key, "{}"))
                    .get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(TopicAuthorizationException.class);
        }
        try (KafkaCompanion kafka = new KafkaCompanion(settings.bootstrapServers())) {
            // The granted record reached dataset-service, which dead-lettered it (and counts nothing else from it).
            kafka.consumeStrings().fromTopics(Topics.deadLetter(Topics.LABELS_INGEST, "dataset-service"),
                    all -> all.select().where(r -> key.equals(r.key())).select().first())
                    .awaitCompletion(Duration.ofSeconds(90));
        }
        Map<String, Object> evaluation = signedIn("evaluation-service");
        evaluation.put(ConsumerConfig.GROUP_ID_CONFIG, "evaluation-service-acl-probe"); // its own group: only the topic is refused
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(evaluation, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.labelsIngest(FinetuneRealm.TEAM_A)));
            assertThatThrownBy(() -> {
                for (int polls = 0; polls < 60; polls++) {
                    consumer.poll(Duration.ofMillis(500));
                }
            }).isInstanceOf(TopicAuthorizationException.class);
        }
    }

    private Map<String, Object> signedIn(String principal) {
        Map<String, Object> config = new HashMap<>(stack.kafkaClientConfig(principal));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        return config;
    }

    /**
     * Sign-in on the running stack with Keycloak's own tokens: every operation of every service's OpenAPI document
     * answers 401 without a token, 403 to a realm user without its role, and lets a user with it through.
     */
    @Test
    void everyOperationOfEveryServiceWantsARealTokenWithItsRole() {
        for (String service : DevStack.SERVICES) {
            AccessContract contract = new AccessContract(URI.create("http://localhost:" + stack.port(service) + "/"));
            List<AccessContract.Operation> operations = contract.operations();
            assertThat(operations).as(service).isNotEmpty();
            assertThat(contract.violations(operations, List.of(FinetuneRealm.READER, FinetuneRealm.CONTRIBUTOR,
                    FinetuneRealm.APPROVER, FinetuneRealm.PREDICTOR), DevStackIT::realmUserWithin)).as(service).isEmpty();
        }
    }

    /**
     * A realm user of team-a for a set of roles: one whose roles (with what they include) are all among
     * {@code roles} (a token lacking an operation's roles), else the user of a role in it (a token admitted to an
     * operation: an approver-a is a reader too, which is harmless there).
     */
    private static String realmUserWithin(Set<String> roles) {
        List<String> users = List.of(FinetuneRealm.READER, FinetuneRealm.PREDICTOR, FinetuneRealm.CONTRIBUTOR,
                FinetuneRealm.APPROVER);
        String role = users.stream().filter(r -> roles.containsAll(FinetuneRealm.expand(Set.of(r)))).findFirst()
                .or(() -> users.stream().filter(roles::contains).findFirst())
                .orElseThrow(() -> new IllegalArgumentException("no realm user for roles " + roles));
        return USERS.computeIfAbsent(role, r -> SignIn.user(StackProbe.keycloak(), r + "-a")).authorization()
                .substring("Bearer ".length());
    }

    /** As {@code --scale training-service=2} runs them: two data sets prepared at once, one run on each instance. */
    @Test
    void twoTrainingInstancesShareTwoDataSetsAndNoRunIsExecutedTwice() throws Exception {
        String datasets = "http://localhost:" + settings.datasetPort();
        String training = "http://localhost:" + settings.trainingPort();
        int secondPort = FreePort.find();
        ServiceProcess second = stack.startInstance("training-service", secondPort);
        try {
            trainTwoDataSetsOnTwoInstances(datasets, training, secondPort);
        } finally {
            stack.stop(second); // the shared stack goes on with the instance it started with
        }
    }

    private void trainTwoDataSetsOnTwoInstances(String datasets, String training, int secondPort) throws Exception {
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

    /** The data set's single run (fails if there is more than one). */
    private static JsonNode onlyRun(String training, String dataset) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create(training + "/runs?dataset=" + dataset))
                    .header("Authorization", StackProbe.operator().authorization()).GET().build(), HttpResponse.BodyHandlers.ofString());
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
                .header("Authorization", StackProbe.operator().authorization())
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 201);
    }
}

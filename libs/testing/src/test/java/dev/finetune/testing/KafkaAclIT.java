package dev.finetune.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.events.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka with SCRAM sign-in and the ACLs of {@link KafkaAccess}: a team's external pipeline produces labels on its
 * own team's topic (not another team's) and reads the public topics but nothing else; a service reads only its own topics with its own groups; a wrong
 * password does not get in. One secured broker for all of it.
 */
class KafkaAclIT {

    private static final String PIPELINE_A = KafkaAccess.pipeline(FinetuneRealm.TEAM_A);
    private static final String LABELS_A = Topics.labelsIngest(FinetuneRealm.TEAM_A);
    private static final String LABELS_B = Topics.labelsIngest(FinetuneRealm.TEAM_B);
    private static final Map<String, String> PASSWORDS = Map.of(
            PIPELINE_A, "pipeline-a-" + System.nanoTime(),
            "dataset-service", "dataset-" + System.nanoTime(),
            "registry-service", "registry-" + System.nanoTime());
    private static KafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = KafkaBroker.startSecured(PASSWORDS);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void aTeamsPipelineProducesItsOwnLabelsAndReadsPromotionsButNothingElse() throws Exception {
        send(PIPELINE_A, LABELS_A, "reviews", "{\"text\": \"fine\", \"label\": \"positive\"}");
        assertThatThrownBy(() -> send(PIPELINE_A, LABELS_B, "reviews", "{\"text\": \"x\", \"label\": \"y\"}"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);

        send("registry-service", Topics.MODELS_PROMOTED, "reviews", "{\"promoted\": 1}");
        assertThat(read(PIPELINE_A, Topics.MODELS_PROMOTED, PIPELINE_A + ".dashboard"))
                .extracting(ConsumerRecord::value).contains("{\"promoted\": 1}");

        assertThatThrownBy(() -> send(PIPELINE_A, Topics.DATASETS_PREPARED, "reviews", "{}"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> read(PIPELINE_A, Topics.DATASETS_PREPARED, PIPELINE_A + ".snoop"))
                .isInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> read(PIPELINE_A, Topics.MODELS_PROMOTED, "dataset-service"))
                .isInstanceOf(GroupAuthorizationException.class);
    }

    @Test
    void aServiceReadsItsOwnTopicsWithItsOwnGroupsOnly() throws Exception {
        send(PIPELINE_A, LABELS_A, "acl", "{\"text\": \"ok\", \"label\": \"neutral\"}");
        assertThat(read("dataset-service", LABELS_A, "dataset-service-acl-test"))
                .extracting(ConsumerRecord::key).contains("acl");

        assertThatThrownBy(() -> read("dataset-service", Topics.TRAINING_CHECKPOINTS, "dataset-service-acl-test"))
                .isInstanceOf(TopicAuthorizationException.class);
        assertThatThrownBy(() -> send("dataset-service", Topics.MODELS_PROMOTED, "x", "{}"))
                .hasRootCauseInstanceOf(TopicAuthorizationException.class);
    }

    @Test
    void aWrongPasswordDoesNotGetIn() {
        assertThatThrownBy(() -> {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    config(PIPELINE_A, "not-the-password"), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(LABELS_A, "k", "v")).get(30, TimeUnit.SECONDS);
            }
        }).hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }

    /**
     * The local stack's broker stops and starts in fault tests while services stay signed in: its credentials
     * and ACLs must come back from the metadata log, before anything sets them again (no passwords here).
     */
    @Test
    void credentialsAndAclsOutliveARestart(@TempDir Path data) throws Exception {
        int port = FreePort.find();
        int saslPort = FreePort.find();
        String password = "pipeline-" + System.nanoTime();
        String pipeline = KafkaAccess.pipeline(FinetuneRealm.TEAM_A);
        KafkaBroker.startPersistent(port, saslPort, data, Map.of(pipeline, password)).close();
        try (KafkaBroker restarted = KafkaBroker.startPersistent(port, saslPort, data, Map.of());
                KafkaProducer<String, String> producer = new KafkaProducer<>(
                        timeouts(restarted.saslClientConfig(pipeline, password)),
                        new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.labelsIngest(FinetuneRealm.TEAM_A), "restart", "{}"))
                    .get(30, TimeUnit.SECONDS);
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(Topics.DATASETS_PREPARED, "restart", "{}"))
                    .get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(TopicAuthorizationException.class);
        }
    }

    private static void send(String principal, String topic, String key, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config(principal, PASSWORDS.get(principal)),
                new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e;
        }
    }

    /** What {@code principal} reads from the start of {@code topic} in {@code group} within a few polls. */
    private static List<ConsumerRecord<String, String>> read(String principal, String topic, String group) {
        Map<String, Object> config = config(principal, PASSWORDS.get(principal));
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            return records;
        }
    }

    private static Map<String, Object> config(String principal, String password) {
        return timeouts(broker.saslClientConfig(principal, password));
    }

    private static Map<String, Object> timeouts(Map<String, Object> signIn) {
        Map<String, Object> config = new HashMap<>(signIn);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 20_000);
        return config;
    }
}

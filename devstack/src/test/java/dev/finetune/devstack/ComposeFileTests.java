package dev.finetune.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.events.Topics;
import dev.finetune.testing.KafkaAccess;
import dev.finetune.testing.KafkaBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine runs on our build machines, so this checks {@code docker-compose.yml} by reading it:
 * every reference points at something that exists, and ports, settings and partition counts agree with
 * the services' own configuration.
 */
class ComposeFileTests {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final List<String> SERVICES =
            List.of("dataset-service", "training-service", "evaluation-service", "registry-service");

    private static Map<String, Object> compose;
    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void readComposeFile() throws IOException {
        try (Reader reader = Files.newBufferedReader(ROOT.resolve("docker-compose.yml"))) {
            compose = new Yaml().load(reader);
        }
        services = (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void runsTheInfrastructureAndTheFourServices() {
        assertThat(services).containsKeys("kafka", "kafka-init", "minio", "postgres");
        assertThat(services).containsKeys(SERVICES.toArray(String[]::new));
    }

    @Test
    @SuppressWarnings("unchecked")
    void dependenciesAndVolumesExist() {
        Set<String> volumes = ((Map<String, Object>) compose.get("volumes")).keySet();
        services.forEach((name, service) -> {
            Object dependsOn = service.get("depends_on");
            if (dependsOn instanceof Map<?, ?> map) {
                assertThat(services).as(name + " depends_on").containsKeys(map.keySet().toArray(String[]::new));
            }
            for (Object volume : (List<Object>) service.getOrDefault("volumes", List.of())) {
                String source = volume.toString().split(":")[0];
                if (source.startsWith("./")) { // a file of this repository, mounted
                    assertThat(ROOT.resolve(source)).as(name + " mount").isRegularFile();
                } else {
                    assertThat(volumes).as(name + " volume").contains(source);
                }
            }
            if (!name.endsWith("-init")) { // one-shot set-up steps end instead of staying healthy
                assertThat(service).as(name + " healthcheck").containsKey("healthcheck");
            }
        });
    }

    @Test
    void serviceSettingsPointAtServicesThatExistOnTheirPorts() {
        for (String name : SERVICES) {
            Map<String, Object> env = environment(name);
            assertThat(env.get("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("kafka:9092");
            assertThat(env.get("STORAGE_ENDPOINT")).isEqualTo("http://minio:9000");
            assertThat(env.get("QUARKUS_DATASOURCE_JDBC_URL").toString()).startsWith("jdbc:postgresql://postgres:5432/");
            assertThat(environment("kafka").get("KAFKA_ADVERTISED_LISTENERS").toString()).contains("kafka:9092");
            assertThat(services.get("minio").get("command").toString()).contains("server");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void publishedPortsAndHealthchecksMatchEachServicesOwnConfiguration() throws IOException {
        for (String name : SERVICES) {
            String port = applicationProperties(name).getProperty("quarkus.http.port");
            List<Object> ports = (List<Object>) services.get(name).get("ports");
            assertThat(ports).as(name + " ports").anyMatch(p -> p.toString().endsWith(":" + port));
            assertThat(services.get(name).get("healthcheck").toString())
                    .contains("localhost:" + port + "/q/health/ready");
            Map<String, Object> build = (Map<String, Object>) services.get(name).get("build");
            assertThat(ROOT.resolve(build.get("context").toString()).resolve(build.get("dockerfile").toString()))
                    .as(name + " Dockerfile").isRegularFile();
        }
    }

    @Test
    void trainingServiceCanBeScaled() {
        Map<String, Object> training = services.get("training-service");
        assertThat(training).doesNotContainKey("container_name");
        // A fixed single host port would make a second replica fail to start.
        assertThat(training.get("ports").toString()).matches(".*\\d+-\\d+:8082.*");
    }

    @Test
    void topicsAreCreatedWithThePartitionCountTheServicesExpect() throws IOException {
        assertThat(environment("kafka").get("KAFKA_NUM_PARTITIONS")).isEqualTo(Topics.DEFAULT_PARTITIONS);
        for (String name : SERVICES) {
            Properties properties = applicationProperties(name);
            for (String key : properties.stringPropertyNames()) {
                if (!key.endsWith(".topic")) {
                    continue;
                }
                String channel = key.substring(0, key.length() - ".topic".length());
                if ("true".equals(properties.getProperty(channel + ".pattern"))) {
                    // Every team's labels topic, by one pattern: the teams' topics are created as they join.
                    assertThat(properties.getProperty(key)).as(name + " " + key).isEqualTo(Topics.LABELS_INGEST_PATTERN);
                } else {
                    assertThat(Topics.all()).as(name + " " + key).contains(properties.getProperty(key));
                }
            }
        }
    }

    @Test
    void credentialsComeFromTheEnvExampleNotTheFile() throws IOException {
        Properties example = new Properties();
        try (InputStream in = Files.newInputStream(ROOT.resolve(".env.example"))) {
            example.load(in);
        }
        String text = Files.readString(ROOT.resolve("docker-compose.yml"));
        Matcher variables = Pattern.compile("\\$\\{([A-Z0-9_]+)}").matcher(text);
        Set<String> used = new HashSet<>();
        while (variables.find()) {
            used.add(variables.group(1));
        }
        assertThat(used).contains("MINIO_ROOT_PASSWORD", "S3_DATASET_SERVICE_SECRET_KEY", "POSTGRES_PASSWORD");
        assertThat(example.stringPropertyNames()).containsAll(used);
        assertThat(text).doesNotContain(example.getProperty("MINIO_ROOT_PASSWORD"));
    }

    /** Least privilege: each service signs in to S3 as its own user, never with MinIO's root credentials. */
    @Test
    @SuppressWarnings("unchecked")
    void eachServiceHasItsOwnS3UserAndNoneTheRootCredentials() {
        for (String name : SERVICES) {
            Map<String, Object> environment = environment(name);
            assertThat(environment.get("STORAGE_ACCESS_KEY")).as(name).isEqualTo(name);
            assertThat(String.valueOf(environment.get("STORAGE_SECRET_KEY"))).as(name)
                    .isEqualTo("${S3_" + name.toUpperCase().replace('-', '_') + "_SECRET_KEY}");
            assertThat(environment.values().toString()).as(name).doesNotContain("MINIO_ROOT");
            assertThat(environment.get("OIDC_ISSUER_URL")).as(name).isEqualTo("http://keycloak:8180/realms/finetune");
        }
        assertThat(String.join("\n", (List<String>) services.get("minio-init").get("command")))
                .contains("mc admin user add local dataset-service", "mc admin policy attach");
    }

    /**
     * kafka-init's ACLs are {@link KafkaAccess#GRANTS}, line for line: a grant added to the table and not to the
     * compose file (or the other way round) fails here, not in somebody's deployment.
     */
    @Test
    void kafkaInitGrantsExactlyWhatKafkaAccessGrants() {
        String init = kafkaInit();
        Matcher lines = Pattern.compile("(?m)^acl (\\S+) \"([^\"]*)\" \"([^\"]*)\" (\\S+)$").matcher(init);
        Set<KafkaAccess.Grant> granted = new HashSet<>();
        while (lines.find()) {
            granted.add(new KafkaAccess.Grant(lines.group(1), words(lines.group(2)), words(lines.group(3)),
                    lines.group(4)));
        }
        assertThat(granted).containsExactlyInAnyOrderElementsOf(KafkaAccess.GRANTS);
        for (KafkaAccess.Grant grant : KafkaAccess.GRANTS) {
            String variable = KafkaAccess.passwordVariable(grant.principal());
            assertThat(init).contains("user " + grant.principal() + " \"$$" + variable + "\"");
            assertThat(environment("kafka-init").get(variable)).isEqualTo("${" + variable + "}");
        }
        // No principal may create topics: kafka-init creates them all, as the services expect them, and each
        // team's labels topic.
        Matcher topics = Pattern.compile("(?m)^\\s*for t in ([a-z.\\- ]+); do$").matcher(init);
        assertThat(topics.find()).as("the topic loop").isTrue();
        assertThat(words(topics.group(1))).containsExactlyInAnyOrderElementsOf(Stream.concat(Topics.all().stream(),
                KafkaAccess.TEAMS.stream().flatMap(team -> Topics.ofTeam(team).stream())).toList());
        assertThat(init).contains("--partitions " + Topics.DEFAULT_PARTITIONS);
    }

    @Test
    void kafkaAuthenticatesWithScramAndDeniesWhatNoAclAllows() {
        Map<String, Object> kafka = environment("kafka");
        assertThat(kafka.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").toString()).contains("CLIENT:SASL_PLAINTEXT");
        assertThat(kafka.get("KAFKA_ADVERTISED_LISTENERS").toString()).contains("CLIENT://kafka:9092");
        assertThat(kafka.get("KAFKA_SASL_ENABLED_MECHANISMS")).isEqualTo(KafkaBroker.SCRAM);
        assertThat(kafka.get("KAFKA_AUTHORIZER_CLASS_NAME"))
                .isEqualTo("org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        assertThat(kafka.get("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND")).isEqualTo("false");
        assertThat(kafka.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE")).isEqualTo("false");
        // The anonymous super user's listeners answer on the container's loopback only.
        assertThat(kafka.get("KAFKA_LISTENERS").toString())
                .contains("CONTROLLER://127.0.0.1:", "ADMIN://127.0.0.1:").doesNotContain("PLAINTEXT://:");
        assertThat(services.get("kafka-init").get("network_mode")).isEqualTo("service:kafka");
    }

    /** Least privilege on Kafka as on S3: each service signs in over SASL as its own principal. */
    @Test
    @SuppressWarnings("unchecked")
    void eachServiceSignsInToKafkaAsItself() {
        for (String name : SERVICES) {
            Map<String, Object> environment = environment(name);
            assertThat(environment.get("KAFKA_SECURITY_PROTOCOL")).as(name).isEqualTo("SASL_PLAINTEXT");
            assertThat(environment.get("KAFKA_USERNAME")).as(name).isEqualTo(name);
            assertThat(environment.get("KAFKA_PASSWORD")).as(name)
                    .isEqualTo("${" + KafkaAccess.passwordVariable(name) + "}");
            Map<String, Object> dependsOn = (Map<String, Object>) services.get(name).get("depends_on");
            assertThat(dependsOn.get("kafka-init")).as(name)
                    .isEqualTo(Map.of("condition", "service_completed_successfully"));
        }
    }

    @SuppressWarnings("unchecked")
    private static String kafkaInit() {
        return String.join("\n", (List<String>) services.get("kafka-init").get("command"));
    }

    private static Set<String> words(String spaced) {
        return Set.of(spaced.trim().split("\\s+"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> environment(String service) {
        return (Map<String, Object>) services.get(service).get("environment");
    }

    private static Properties applicationProperties(String service) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(
                ROOT.resolve(service).resolve("src/main/resources/application.properties"))) {
            properties.load(in);
        }
        return properties;
    }
}

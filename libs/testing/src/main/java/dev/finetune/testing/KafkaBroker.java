package dev.finetune.testing;

import dev.finetune.events.Topics;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real single-node Apache Kafka broker in KRaft mode, running in the calling JVM. Tests start it on a
 * free port with a throw-away log directory; the local stack runs it in its own JVM
 * ({@link KafkaBrokerMain}) on a fixed port with a persistent directory, so it outlives service restarts.
 */
public final class KafkaBroker implements AutoCloseable {

    /** Fixed so a persistent log directory formatted once is accepted on every later start. */
    private static final String CLUSTER_ID = "finetune-local-kraft0";

    /** The SCRAM mechanism of the secured listener (SASL_PLAINTEXT locally; SASL_SSL in production). */
    public static final String SCRAM = "SCRAM-SHA-512";

    private final EmbeddedKafkaBroker broker;
    private volatile int saslPort;

    private KafkaBroker(EmbeddedKafkaBroker broker) {
        this.broker = broker;
    }

    /**
     * A broker on free ports that authenticates clients with SCRAM-SHA-512 over SASL_PLAINTEXT
     * ({@link #saslBootstrapServers}) and authorizes them with the KRaft {@code StandardAuthorizer}, denying
     * whatever no ACL allows. {@code passwords} are the principals' SCRAM credentials; the ACLs are
     * {@link KafkaAccess#GRANTS}. Its PLAINTEXT listener on 127.0.0.1 ({@link #bootstrapServers}) is the
     * operator's: its principal, {@code User:ANONYMOUS}, is the super user that creates topics, credentials and
     * ACLs, as the broker's own controller link does (the first credential cannot be created through SASL).
     */
    public static KafkaBroker startSecured(Map<String, String> passwords) {
        return startSecured(new EmbeddedKafkaBroker().withKafkaHost("127.0.0.1").withDeleteLogDirsOnClose(true),
                FreePort.find(), passwords, p -> { });
    }

    /**
     * {@link #startSecured(Map)} on fixed ports ({@code port} PLAINTEXT for the operator, {@code saslPort} for
     * clients), keeping its data in {@code dataDirectory} across restarts: the local stack's broker. SCRAM
     * credentials and ACLs are records of the KRaft metadata log, so they outlive a restart; {@code passwords}
     * are set again on every start anyway, because a new stack brings new ones to an old data directory.
     */
    public static KafkaBroker startPersistent(int port, int saslPort, Path dataDirectory, Map<String, String> passwords) {
        try {
            Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka data directory " + dataDirectory, e);
        }
        return startSecured(new EmbeddedKafkaBroker()
                        .withKafkaHost("127.0.0.1")
                        .withKafkaPort(port)
                        .withClusterId(CLUSTER_ID)
                        .withDeleteLogDirsOnClose(false),
                saslPort, passwords,
                // "log.dir", singular: the companion only makes a temporary directory when it is unset.
                p -> p.put("log.dir", dataDirectory.toAbsolutePath().toString()));
    }

    private static KafkaBroker startSecured(EmbeddedKafkaBroker broker, int saslPort, Map<String, String> passwords,
            Consumer<Properties> extra) {
        KafkaBroker started = start(broker, p -> {
            p.put("listeners", p.getProperty("listeners") + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort);
            p.put("listener.security.protocol.map", p.getProperty("listener.security.protocol.map")
                    + ",SASL_PLAINTEXT:SASL_PLAINTEXT");
            p.put("sasl.enabled.mechanisms", SCRAM);
            p.put("listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            p.put("allow.everyone.if.no.acl.found", "false");
            p.put("super.users", "User:ANONYMOUS");
            extra.accept(p);
        });
        started.saslPort = saslPort;
        started.secure(passwords);
        return started;
    }

    /** A broker on a free port whose data disappears when it is closed. */
    public static KafkaBroker startEphemeral() {
        return start(new EmbeddedKafkaBroker().withDeleteLogDirsOnClose(true), p -> { });
    }

    /** {@code extra} goes into the one properties modifier the companion keeps (a second call replaces the first). */
    private static KafkaBroker start(EmbeddedKafkaBroker broker, Consumer<Properties> extra) {
        broker.withAdditionalProperties(p -> {
            extra.accept(p);
            // One node: every internal topic must be satisfied by it alone.
            p.put("offsets.topic.replication.factor", "1");
            p.put("transaction.state.log.replication.factor", "1");
            p.put("transaction.state.log.min.isr", "1");
            // Consumers join at once instead of waiting 3 s for peers that never come.
            p.put("group.initial.rebalance.delay.ms", "0");
            p.put("num.partitions", String.valueOf(Topics.DEFAULT_PARTITIONS));
        });
        broker.start();
        KafkaBroker started = new KafkaBroker(broker);
        started.createPlatformTopics();
        return started;
    }

    /** The secured listener ({@link #startSecured}), for clients that sign in with SCRAM. */
    public String saslBootstrapServers() {
        if (saslPort == 0) {
            throw new IllegalStateException("this broker has no SASL listener: start it with startSecured");
        }
        return "127.0.0.1:" + saslPort;
    }

    /** Client settings that sign in as {@code principal} with SCRAM on the secured listener. */
    public Map<String, Object> saslClientConfig(String principal, String password) {
        return saslClientConfig(saslBootstrapServers(), principal, password);
    }

    /** Client settings that sign in as {@code principal} with SCRAM-SHA-512 over SASL_PLAINTEXT at {@code servers}. */
    public static Map<String, Object> saslClientConfig(String servers, String principal, String password) {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", SCRAM,
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + principal + "\" password=\"" + password + "\";");
    }

    /** SCRAM credentials for every principal, and the ACLs of {@link KafkaAccess#GRANTS}. */
    private void secure(Map<String, String> passwords) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            List<UserScramCredentialAlteration> credentials = new ArrayList<>();
            passwords.forEach((principal, password) -> credentials.add(
                    new UserScramCredentialUpsertion(principal,
                            new ScramCredentialInfo(
                                    ScramMechanism.SCRAM_SHA_512, 4096), password)));
            if (!credentials.isEmpty()) {
                admin.alterUserScramCredentials(credentials).all().get(30, TimeUnit.SECONDS);
            }
            // Creating an ACL the broker already has is a no-op: a restarted broker keeps one copy of each.
            admin.createAcls(KafkaAccess.aclBindings()).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the SCRAM credentials and ACLs on " + bootstrapServers(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while securing the broker", e);
        }
    }

    /** {@code host:port}, as clients expect it in {@code bootstrap.servers}. */
    public String bootstrapServers() {
        String listeners = broker.getAdvertisedListeners();
        int scheme = listeners.indexOf("://");
        return scheme < 0 ? listeners : listeners.substring(scheme + 3);
    }

    /**
     * Creates every topic of the platform, its teams' own included, with the partition count the services
     * expect; topics that already exist (a persistent broker's second start) are left alone.
     */
    public void createPlatformTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = Stream.concat(Topics.all().stream(),
                            KafkaAccess.TEAMS.stream().flatMap(team -> Topics.ofTeam(team).stream()))
                    .filter(topic -> !existing.contains(topic))
                    .map(topic -> new NewTopic(topic, Topics.DEFAULT_PARTITIONS, (short) 1))
                    .toList();
            for (var created : admin.createTopics(missing).values().entrySet()) {
                try {
                    created.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    // Created meanwhile by a client's auto-creation, or by the admin client's own retry of a
                    // request that timed out on a loaded machine but went through: there it is, as wanted.
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the platform's topics on " + bootstrapServers(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }

    public boolean isRunning() {
        return broker.isRunning();
    }

    @Override
    public void close() {
        broker.close();
    }
}

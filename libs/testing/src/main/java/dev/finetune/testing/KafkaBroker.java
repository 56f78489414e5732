package dev.finetune.testing;

import dev.finetune.events.Topics;
import io.smallrye.reactive.messaging.kafka.companion.test.EmbeddedKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real single-node Apache Kafka broker in KRaft mode, running in the calling JVM. Tests start it on a
 * free port with a throw-away log directory; the local stack runs it in its own JVM
 * ({@link KafkaBrokerMain}) on a fixed port with a persistent directory, so it outlives service restarts.
 */
public final class KafkaBroker implements AutoCloseable {

    /** Fixed so a persistent log directory formatted once is accepted on every later start. */
    private static final String CLUSTER_ID = "finetune-local-kraft0";

    private final EmbeddedKafkaBroker broker;

    private KafkaBroker(EmbeddedKafkaBroker broker) {
        this.broker = broker;
    }

    /** A broker on a free port whose data disappears when it is closed. */
    public static KafkaBroker startEphemeral() {
        return start(new EmbeddedKafkaBroker().withDeleteLogDirsOnClose(true), p -> { });
    }

    /** A broker on {@code port} that keeps its data in {@code dataDirectory} across restarts. */
    public static KafkaBroker startPersistent(int port, Path dataDirectory) {
        try {
            Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka data directory " + dataDirectory, e);
        }
        return start(new EmbeddedKafkaBroker()
                        .withKafkaPort(port)
                        .withClusterId(CLUSTER_ID)
                        .withDeleteLogDirsOnClose(false),
                // "log.dir", singular: the companion only makes a temporary directory when it is unset.
                p -> p.put("log.dir", dataDirectory.toAbsolutePath().toString()));
    }

    /** {@code extra} goes into the one properties modifier the companion keeps (a second call replaces the first). */
    private static KafkaBroker start(EmbeddedKafkaBroker broker, java.util.function.Consumer<java.util.Properties> extra) {
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

    /** {@code host:port}, as clients expect it in {@code bootstrap.servers}. */
    public String bootstrapServers() {
        String listeners = broker.getAdvertisedListeners();
        int scheme = listeners.indexOf("://");
        return scheme < 0 ? listeners : listeners.substring(scheme + 3);
    }

    /**
     * Creates every topic of the platform with the partition count the services expect; topics that
     * already exist (a persistent broker's second start) are left alone.
     */
    public void createPlatformTopics() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = Topics.all().stream()
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

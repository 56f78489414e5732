package dev.finetune.devstack;

import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaAccess;
import dev.finetune.testing.KafkaBroker;
import dev.finetune.testing.KeycloakServer;
import dev.finetune.testing.PostgresServer;
import dev.finetune.testing.S3ProxyServer;
import dev.finetune.testing.TcpProxy;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The whole platform on one machine: a real Kafka broker and S3Proxy, the machine's PostgreSQL, Keycloak (the
 * OIDC provider, realm {@code finetune}) and the four services as separate processes configured to use them. Closing it stops everything it started,
 * services first so they can finish their work against infrastructure that is still there.
 */
public final class DevStack implements AutoCloseable {

    /** The services in the order they are started; the port of each comes from {@link StackSettings}. */
    public static final List<String> SERVICES = List.of(
            "dataset-service", "training-service", "evaluation-service", "registry-service");

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5); // a loaded 2-core CI machine

    private final StackSettings settings;
    private final PrintStream out;
    private volatile String jdbcUrl;
    private KafkaProcess kafka;
    private S3ProxyServer s3;
    private KeycloakServer keycloak;
    private boolean ownKeycloak = true;
    // Instances are started, killed and listed from several threads of a fault test at once.
    private final List<ServiceProcess> services = new CopyOnWriteArrayList<>();
    private boolean databaseProxies;
    // Fresh S3 credentials for every stack: the services run their production build, which refuses a
    // well-known secret (ProductionSecretsCheck), and nothing fixed in this repository is a secret.
    private final String storageAccessKey = randomKey(20);
    private final String storageSecretKey = randomKey(40);
    // The same for Kafka: a SCRAM password per principal (each service, and each team's pipeline, team-a's played by the demo). They
    // stay with the stack, so a broker started again after an outage gets the ones its services sign in with.
    private final Map<String, String> kafkaPasswords = KafkaAccess.GRANTS.stream()
            .collect(Collectors.toUnmodifiableMap(KafkaAccess.Grant::principal, grant -> randomKey(32)));

    public DevStack(StackSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /**
     * Makes every service instance reach PostgreSQL through a {@link TcpProxy} of its own (call before
     * {@link #start}), so that a fault test can take one instance's database away ({@link #cutDatabase})
     * while the machine's server keeps serving everyone else.
     */
    public DevStack withDatabaseProxies() {
        databaseProxies = true;
        return this;
    }

    /**
     * Uses an already running Keycloak with the realm (call before {@link #start}) instead of starting one; the
     * stack does not stop it. Tests share one per JVM, since Keycloak takes 30 s to minutes to start.
     */
    public DevStack withKeycloak(KeycloakServer running) {
        keycloak = running;
        ownKeycloak = false;
        return this;
    }

    /** Starts everything and returns once every service reports ready; on failure stops what it started. */
    public DevStack start() {
        try {
            startAll();
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startAll() {
        try {
            Files.createDirectories(settings.logDirectory());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (this) {
            jdbcUrl = PostgresServer.database(settings.database());
            out.println("postgres            " + jdbcUrl + (databaseProxies ? "  (each service through a proxy)" : ""));
            kafka = KafkaProcess.start(settings, kafkaPasswords);
            out.println("kafka               " + settings.saslBootstrapServers() + "  (SASL SCRAM-SHA-512, one principal"
                    + " per service; " + kafka.bootstrapServers() + " is the PLAINTEXT admin door)");
            s3 = S3ProxyServer.start(settings.s3Port(), settings.stateDirectory().resolve("s3"),
                    storageAccessKey, storageSecretKey);
            out.println("s3                  " + s3.endpoint() + "  (bucket " + StackSettings.BUCKET + ")");
        }
        // Keycloak starts beside the services: they find their issuer lazily, on the first request with a token.
        CompletableFuture<KeycloakServer> provider = keycloak != null ? CompletableFuture.completedFuture(keycloak)
                : CompletableFuture.supplyAsync(() -> KeycloakServer.start(settings.keycloakPort(),
                        settings.stateDirectory().resolve("keycloak")));
        List<ServiceProcess> started = new ArrayList<>();
        try {
            for (String service : SERVICES) {
                started.add(launch(service, port(service), Map.of()));
            }
            awaitReady(started);
        } catch (RuntimeException e) {
            if (ownKeycloak) { // the stack fails to start: its Keycloak goes too, once it is up
                provider.thenAccept(KeycloakServer::close);
            }
            throw e;
        }
        try {
            KeycloakServer ready = provider.join();
            synchronized (this) {
                keycloak = ready;
            }
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
        out.println("keycloak            " + keycloak.issuer() + "  (realm " + FinetuneRealm.NAME
                + "; users and secrets in docs/operations.md#sign-in)");
        for (ServiceProcess service : started) {
            out.printf("%-19s %s  (ready; docs %s/q/swagger-ui, log %s)%n", service.name(), service.url(),
                    service.url(), settings.projectRoot().relativize(service.log()));
        }
    }

    private Map<String, String> serviceEnvironment(String service) {
        return Map.ofEntries(
                Map.entry("KAFKA_BOOTSTRAP_SERVERS", settings.saslBootstrapServers()),
                Map.entry("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"),
                // Only its own principal: the ACLs keep each service to its own topics and consumer groups.
                Map.entry("KAFKA_USERNAME", service),
                Map.entry("KAFKA_PASSWORD", kafkaPasswords.get(service)),
                Map.entry("STORAGE_ENDPOINT", settings.s3Endpoint()),
                Map.entry("STORAGE_ACCESS_KEY", storageAccessKey),
                Map.entry("STORAGE_SECRET_KEY", storageSecretKey),
                Map.entry("STORAGE_BUCKET", StackSettings.BUCKET),
                Map.entry("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl),
                Map.entry("QUARKUS_DATASOURCE_USERNAME", PostgresServer.USERNAME),
                Map.entry("QUARKUS_DATASOURCE_PASSWORD", PostgresServer.PASSWORD),
                Map.entry("OIDC_ISSUER_URL", keycloak != null ? keycloak.issuer() : settings.issuer()),
                Map.entry("DJL_OFFLINE", "true"),
                // libtorch's spinning OpenMP workers slow every process on a shared machine (docs/benchmarks.md)
                Map.entry("OMP_WAIT_POLICY", "PASSIVE"));
    }

    int port(String service) {
        return switch (service) {
            case "dataset-service" -> settings.datasetPort();
            case "training-service" -> settings.trainingPort();
            case "evaluation-service" -> settings.evaluationPort();
            case "registry-service" -> settings.registryPort();
            default -> throw new IllegalArgumentException("no service " + service);
        };
    }

    /** Starts one instance of {@code service} on {@code port} with the stack's environment and {@code overrides}; does not wait. */
    private ServiceProcess launch(String service, int port, Map<String, String> overrides) {
        Map<String, String> environment = new HashMap<>(serviceEnvironment(service));
        environment.putAll(overrides);
        TcpProxy database = null;
        if (databaseProxies) {
            InetSocketAddress server = PostgresServer.address();
            database = TcpProxy.start(server.getHostString(), server.getPort());
            environment.put("QUARKUS_DATASOURCE_JDBC_URL", PostgresServer.through(jdbcUrl, database.port()));
        }
        String logName = port == port(service) ? service : service + "-" + port;
        ServiceProcess process = ServiceProcess.start(service, port, logName, environment, settings, database);
        services.add(process);
        return process;
    }

    /** SIGKILL, as a crashed machine: no shutdown hook runs, leases and offsets stay as they were. */
    public void kill(String service) {
        kill(find(service));
    }

    /** SIGKILL of one instance (see {@link #kill(String)}); returns once it has exited. */
    void kill(ServiceProcess instance) {
        try {
            instance.kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + instance.name(), e);
        } finally {
            services.remove(instance);
        }
        out.println(instance.name() + " on port " + instance.port() + " killed (SIGKILL)");
    }

    /** Stops one instance gracefully (SIGTERM: its runs are handed back) and returns once it has exited. */
    void stop(ServiceProcess instance) {
        instance.close();
        services.remove(instance);
        out.println(instance.name() + " on port " + instance.port() + " stopped");
    }

    /** Starts a service again (after {@link #kill}) on its own port and waits until it is ready. */
    public void restart(String service) {
        startInstance(service, port(service));
        out.println(service + " restarted and ready");
    }

    /** Starts a service again with extra settings (environment variables), and waits until it is ready. */
    public void restart(String service, Map<String, String> settingsOverride) {
        awaitReady(List.of(launch(service, port(service), settingsOverride)));
        out.println(service + " restarted with " + settingsOverride.keySet());
    }

    /**
     * One more instance of a service on {@code port}, in the same consumer groups (scaling out); returns it
     * once it is ready. Other instances can be killed or started meanwhile.
     */
    public ServiceProcess startInstance(String service, int port) {
        return startInstance(service, port, Map.of());
    }

    /** {@link #startInstance(String, int)} with extra settings (environment variables) for this instance. */
    ServiceProcess startInstance(String service, int port, Map<String, String> settingsOverride) {
        ServiceProcess process = launch(service, port, settingsOverride);
        awaitReady(List.of(process));
        return process;
    }

    /** The running instances of {@code service}, in the order they were started. */
    List<ServiceProcess> instances(String service) {
        return services.stream().filter(s -> s.name().equals(service)).toList();
    }

    /**
     * Takes PostgreSQL away from one instance: its open connections are closed and new ones refused, as
     * when the server is down for it, until {@link #restoreDatabase}. Needs {@link #withDatabaseProxies}.
     */
    void cutDatabase(ServiceProcess instance) {
        databaseOf(instance).cut();
        out.println(instance.name() + " on port " + instance.port() + ": database cut");
    }

    void restoreDatabase(ServiceProcess instance) {
        databaseOf(instance).restore();
        out.println(instance.name() + " on port " + instance.port() + ": database restored");
    }

    private TcpProxy databaseOf(ServiceProcess instance) {
        return instance.database().orElseThrow(() -> new IllegalStateException(
                instance.name() + " reaches PostgreSQL directly: start the stack withDatabaseProxies()"));
    }

    /**
     * Stops the Kafka broker (an outage: services keep running and must ride it out); {@link #startBroker}
     * brings it back on the same port with the same data.
     */
    public synchronized void stopBroker() {
        requireStarted(kafka, "the broker");
        kafka.close();
        kafka = null;
        out.println("kafka stopped");
    }

    public synchronized void startBroker() {
        if (kafka == null) {
            kafka = KafkaProcess.start(settings, kafkaPasswords);
            out.println("kafka started again at " + kafka.bootstrapServers());
        }
    }

    /** Stops S3Proxy (an outage); {@link #startObjectStore} brings it back with the same objects. */
    public synchronized void stopObjectStore() {
        requireStarted(s3, "the object store");
        s3.stop();
        out.println("s3 stopped");
    }

    public synchronized void startObjectStore() {
        requireStarted(s3, "the object store");
        if (!s3.isRunning()) {
            s3.restart();
            out.println("s3 started again at " + s3.endpoint());
        }
    }

    private static void requireStarted(Object component, String name) {
        if (component == null) {
            throw new IllegalStateException(name + " is not part of a started stack");
        }
    }

    private ServiceProcess find(String service) {
        return services.stream().filter(s -> s.name().equals(service)).findFirst()
                .orElseThrow(() -> new IllegalStateException(service + " is not running"));
    }

    private void awaitReady(List<ServiceProcess> starting) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        List<ServiceProcess> waiting = new ArrayList<>(starting);
        while (!waiting.isEmpty()) {
            for (ServiceProcess service : List.copyOf(waiting)) {
                if (!service.isAlive()) {
                    throw new IllegalStateException(service.name() + " exited during start-up; see " + service.log());
                }
                if (service.isReady()) {
                    waiting.remove(service);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not ready within " + READY_TIMEOUT + ": "
                        + waiting.stream().map(s -> s.name() + " (log " + s.log() + ")").toList());
            }
            if (!waiting.isEmpty()) {
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(250); // polling interval of the readiness probe, not a wait for an outcome
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the services", e);
        }
    }

    public StackSettings settings() {
        return settings;
    }

    /**
     * Client settings that sign in to the stack's broker as {@code principal} (a service or
     * a team's pipeline, {@link KafkaAccess#pipeline}), with what its ACLs allow and nothing more.
     */
    Map<String, Object> kafkaClientConfig(String principal) {
        String password = kafkaPasswords.get(principal);
        if (password == null) {
            throw new IllegalArgumentException("no Kafka principal " + principal + "; known: " + kafkaPasswords.keySet());
        }
        return KafkaBroker.saslClientConfig(settings.saslBootstrapServers(), principal, password);
    }

    /** The S3 credentials of this stack (random per stack), for tests that read the object store directly. */
    String storageAccessKey() {
        return storageAccessKey;
    }

    String storageSecretKey() {
        return storageSecretKey;
    }

    private static String randomKey(int length) {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        java.security.SecureRandom random = new java.security.SecureRandom();
        StringBuilder key = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            key.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return key.toString();
    }

    /** The stack's OIDC provider, once {@link #start} has returned. */
    public synchronized KeycloakServer keycloak() {
        requireStarted(keycloak, "Keycloak");
        return keycloak;
    }

    /** Every service answers {@code /q/health/ready} with 200 right now. */
    public boolean allReady() {
        return !services.isEmpty() && services.stream().allMatch(ServiceProcess::isReady);
    }

    /** Process ids of everything this stack started, for checks that nothing outlives it. */
    public List<Long> pids() {
        List<Long> pids = new ArrayList<>(services.stream().map(ServiceProcess::pid).toList());
        if (kafka != null) {
            pids.add(kafka.pid());
        }
        if (s3 != null && s3.isRunning()) {
            pids.add(s3.pid());
        }
        if (keycloak != null && ownKeycloak && keycloak.isRunning()) {
            pids.add(keycloak.pid());
        }
        return pids;
    }

    @Override
    public synchronized void close() {
        // Services first (each gets its graceful shutdown), in parallel so stopping takes one grace period.
        List<ServiceProcess> running = List.copyOf(services);
        running.parallelStream().forEach(ServiceProcess::close);
        services.removeAll(running);
        if (s3 != null) {
            s3.close();
            s3 = null;
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        if (keycloak != null && ownKeycloak) {
            keycloak.close();
            keycloak = null;
        }
    }
}

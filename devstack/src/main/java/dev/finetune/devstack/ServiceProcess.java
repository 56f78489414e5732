package dev.finetune.devstack;

import dev.finetune.testing.TcpProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One platform service in its own JVM, as in production: {@code java -jar quarkus-run.jar}. It may reach
 * PostgreSQL through a {@link TcpProxy} of its own, which a fault test cuts to take this instance's database
 * away while the server keeps serving every other client.
 */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;
    private final TcpProxy database;

    private ServiceProcess(String name, int port, Path log, Process process, TcpProxy database) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
        this.database = database;
    }

    static ServiceProcess start(String name, int port, String logName, Map<String, String> environment,
            StackSettings settings) {
        return start(name, port, logName, environment, settings, null);
    }

    /**
     * Starts the service; when {@code database} is not null, the environment's JDBC URL already points at
     * it, and the proxy is closed with the process.
     */
    static ServiceProcess start(String name, int port, String logName, Map<String, String> environment,
            StackSettings settings, TcpProxy database) {
        Path jar = settings.projectRoot().resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(name + " is not built (" + jar + " missing): run ./mvnw -B install -DskipTests");
        }
        Path log = settings.logDirectory().resolve(logName + ".log");
        List<String> command = new ArrayList<>(List.of(Java.executable(), "-Xmx2g", "-Dai.djl.offline=true",
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        builder.environment().put("QUARKUS_HTTP_PORT", String.valueOf(port));
        try {
            return new ServiceProcess(name, port, log, builder.start(), database);
        } catch (IOException e) {
            if (database != null) {
                database.close();
            }
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    String name() {
        return name;
    }

    String url() {
        return "http://localhost:" + port;
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    /** The proxy this instance reaches PostgreSQL through; empty when it connects to the server directly. */
    Optional<TcpProxy> database() {
        return Optional.ofNullable(database);
    }

    /** The exit status once the process has ended, else empty. */
    java.util.OptionalInt exitStatus() {
        return process.isAlive() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(process.exitValue());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** True once {@code /q/health/ready} answers 200 (every readiness check UP). */
    boolean isReady() {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGTERM first, so Quarkus shuts down gracefully; SIGKILL only if it has not gone in time. */
    @Override
    public void close() {
        Processes.stop(process.toHandle(), Duration.ofSeconds(35));
        closeDatabaseProxy();
    }

    /** SIGKILL, as a crashed machine: no shutdown hook runs, leases and offsets stay as they were. */
    void kill() throws InterruptedException {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
        closeDatabaseProxy();
    }

    private void closeDatabaseProxy() {
        if (database != null) {
            database.close();
        }
    }

    void awaitExit(Duration timeout) throws InterruptedException {
        process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}

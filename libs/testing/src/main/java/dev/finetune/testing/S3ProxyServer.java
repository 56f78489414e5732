package dev.finetune.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * S3Proxy serving the S3 API from a local directory, as a child process: its libraries clash with
 * Quarkus's, so it never shares a classpath with a service. The process is destroyed on {@link #close()}
 * and, as a last resort, when this JVM exits, so no test run leaves one behind.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String DEFAULT_ACCESS_KEY = "finetune";
    public static final String DEFAULT_SECRET_KEY = "finetune-secret";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final int port;
    private final Path directory;
    private final String accessKey;
    private final String secretKey;
    private final Thread reaper;
    private Process process;

    private S3ProxyServer(int port, Path directory, String accessKey, String secretKey) {
        this.port = port;
        this.directory = directory;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.reaper = new Thread(this::destroy, "s3proxy-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Starts S3Proxy on {@code port} (0 picks a free one) storing objects under {@code directory}, and
     * returns once it answers HTTP.
     */
    public static S3ProxyServer start(int port, Path directory, String accessKey, String secretKey) {
        S3ProxyServer server = new S3ProxyServer(port == 0 ? FreePort.find() : port, directory, accessKey, secretKey);
        server.startProcess();
        return server;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The process id while it runs, for checks that nothing outlives the stack. */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("S3Proxy is not running");
        }
        return process.pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the process, keeping its data: {@link #restart()} serves the same objects again. */
    public synchronized void stop() {
        destroy();
    }

    /** Starts the process again on the same port and directory, after {@link #stop()}. */
    public synchronized void restart() {
        if (!isRunning()) {
            startProcess();
        }
    }

    @Override
    public void close() {
        destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway; nothing left to do
        }
    }

    private synchronized void startProcess() {
        try {
            Path data = Files.createDirectories(directory.resolve("data"));
            Path config = directory.resolve("s3proxy.conf");
            Properties properties = new Properties();
            properties.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
            properties.setProperty("s3proxy.authorization", "aws-v2-or-v4");
            properties.setProperty("s3proxy.identity", accessKey);
            properties.setProperty("s3proxy.credential", secretKey);
            properties.setProperty("jclouds.provider", "filesystem");
            properties.setProperty("jclouds.filesystem.basedir", data.toAbsolutePath().toString());
            try (var out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
                properties.store(out, "written by " + S3ProxyServer.class.getName());
            }
            Path log = directory.resolve("s3proxy.log");
            process = new ProcessBuilder(List.of(javaExecutable(), "-Xmx256m", "-jar", jar().toString(),
                    "--properties", config.toAbsolutePath().toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            awaitServing(log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start S3Proxy in " + directory, e);
        }
    }

    private void awaitServing(Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + ":\n" + tail(log));
            }
            if (answersHttp()) {
                return;
            }
            try {
                // Poll the port: S3Proxy prints nothing reliable when it is ready.
                process.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                destroy();
                throw new IllegalStateException("interrupted while S3Proxy was starting", e);
            }
        }
        destroy();
        throw new IllegalStateException("S3Proxy did not serve " + endpoint() + " within " + START_TIMEOUT + ":\n" + tail(log));
    }

    private boolean answersHttp() {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2000);
            int status = connection.getResponseCode(); // 403 without credentials: it serves
            connection.disconnect();
            return status > 0;
        } catch (IOException notYet) {
            return false;
        }
    }

    private synchronized void destroy() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** The S3Proxy jar in the local Maven repository, where building libs/testing resolved it. */
    static Path jar() {
        return existing(BuiltArtifact.locate("s3proxy.properties", "jar", "s3proxy.jar", "S3PROXY_JAR"));
    }

    private static Path existing(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy jar not found at " + jar
                    + ": build libs/testing (./mvnw -pl libs/testing install) or set S3PROXY_JAR");
        }
        return jar;
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String tail(Path log) {
        return BuiltArtifact.tail(log, 30);
    }
}

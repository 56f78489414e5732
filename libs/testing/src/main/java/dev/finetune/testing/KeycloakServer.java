package dev.finetune.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Keycloak, a real OIDC provider, as a child process on Java 21+ from the distribution that building
 * libs/testing unpacked into its {@code target/keycloak}. It imports the development realm
 * {@link FinetuneRealm} at start, keeps its database under the given directory (so every start imports the
 * realm afresh), and serves on free ports of 127.0.0.1. The process and whatever it started are stopped on
 * {@link #close()} and, as a last resort, when this JVM exits.
 */
public final class KeycloakServer implements AutoCloseable {

    public static final int MINIMUM_JAVA = 21;

    /** About 30 s on two idle cores; measured 61 s to 5.5 min on two cores shared at a load of 15 to 45. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Path directory;
    private final int port;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Thread reaper;
    private Process process;
    private Duration startupTime;

    private KeycloakServer(Path home, Path directory, int port, int managementPort) {
        this.home = home;
        this.directory = directory;
        this.port = port;
        this.managementPort = managementPort;
        this.reaper = new Thread(this::destroy, "keycloak-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Starts Keycloak with the {@code finetune} realm, its database and log under {@code directory}, and
     * returns once it reports ready (the realm is imported before that).
     */
    public static KeycloakServer start(Path directory) {
        return start(0, directory);
    }

    /**
     * Starts Keycloak on {@code port} (0 picks a free one). A directory that already holds a database keeps
     * its realm: Keycloak imports only realms it does not have, so a changed realm file needs a fresh one.
     */
    public static KeycloakServer start(int port, Path directory) {
        Path java = JavaRuntimes.find(MINIMUM_JAVA, System.getenv("KEYCLOAK_JAVA_HOME"), System.getenv("JAVA_HOME"),
                Path.of(System.getProperty("java.home")), JavaRuntimes.SYSTEM_JVM_DIRECTORY);
        return start(home(), java, port, directory);
    }

    /** Starts the distribution at {@code home} on the JDK at {@code java}. */
    static KeycloakServer start(Path home, Path java, int port, Path directory) {
        KeycloakServer server = new KeycloakServer(existing(home), directory.toAbsolutePath(),
                port == 0 ? FreePort.find() : port, FreePort.find());
        server.startProcess(java);
        return server;
    }

    /** The server's base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The realm's issuer: what a service sets as {@code quarkus.oidc.auth-server-url}. */
    public String issuer() {
        return url() + "/realms/" + FinetuneRealm.NAME;
    }

    public String discoveryUrl() {
        return issuer() + "/.well-known/openid-configuration";
    }

    public String tokenEndpoint() {
        return issuer() + "/protocol/openid-connect/token";
    }

    public String jwksUrl() {
        return issuer() + "/protocol/openid-connect/certs";
    }

    /** How long the last start took, from launching the process to ready. */
    public Duration startupTime() {
        return startupTime;
    }

    /** The launcher's process id while it runs (Keycloak's JVM is its child). */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException("Keycloak is not running");
        }
        return process.pid();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The password grant through the public client {@link FinetuneRealm#CLI_CLIENT}, as a person signs in. */
    public TokenResponse passwordGrant(String username, String password) {
        return tokenRequest(Map.of("grant_type", "password", "client_id", FinetuneRealm.CLI_CLIENT,
                "username", username, "password", password, "scope", "openid"));
    }

    /** The client-credentials grant of a confidential client, as a pipeline or a service signs in. */
    public TokenResponse clientCredentialsGrant(String clientId, String secret) {
        return tokenRequest(Map.of("grant_type", "client_credentials", "client_id", clientId,
                "client_secret", secret));
    }

    /** An access token for one of the realm's users, with its development password. */
    public String accessTokenFor(String username) {
        return passwordGrant(username, FinetuneRealm.password(username)).accessToken();
    }

    /** An access token for one of the realm's confidential clients, with its development secret. */
    public String accessTokenForClient(String clientId) {
        return clientCredentialsGrant(clientId, FinetuneRealm.secret(clientId)).accessToken();
    }

    /** A GET on the server, e.g. the discovery document; the body as JSON. */
    public JsonNode getJson(String url) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(url)).GET());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return parse(response.body());
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

    /** What the token endpoint answered: the status and the JSON body (a token, or an OAuth error). */
    public record TokenResponse(int status, JsonNode body) {

        /** The access token, or an exception carrying the endpoint's error when it refused. */
        public String accessToken() {
            if (status != 200 || !body.hasNonNull("access_token")) {
                throw new IllegalStateException("the token endpoint refused (" + status + "): " + body);
            }
            return body.get("access_token").asText();
        }
    }

    private TokenResponse tokenRequest(Map<String, String> form) {
        String encoded = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(encoded)));
        return new TokenResponse(response.statusCode(), parse(response.body()));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("Keycloak at " + url() + " did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while calling Keycloak", e);
        }
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("Keycloak answered something that is not JSON: " + body, e);
        }
    }

    private synchronized void startProcess(Path java) {
        Path log = directory.resolve("keycloak.log");
        // The first start of a distribution rebuilds it for the development profile, in place: a lock on the
        // distribution keeps two test JVMs from rebuilding it at the same time.
        try (FileChannel lockFile = FileChannel.open(home.resolve(".finetune-start.lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
            Files.createDirectories(directory);
            installRealm();
            ProcessBuilder builder = new ProcessBuilder(command())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            Map<String, String> environment = builder.environment();
            environment.keySet().removeIf(name -> name.startsWith("KC_") || name.equals("JAVA")
                    || name.startsWith("JAVA_OPTS"));
            environment.put("JAVA_HOME", java.toString());
            environment.put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
            // On Java 24+ JBoss Threads needs java.lang opened, or its threads fail as they end (at shutdown).
            environment.put("JAVA_OPTS_APPEND", "--add-opens=java.base/java.lang=ALL-UNNAMED");
            long started = System.nanoTime();
            process = builder.start();
            awaitReady(log);
            startupTime = Duration.ofNanos(System.nanoTime() - started);
        } catch (IOException e) {
            destroy();
            throw new UncheckedIOException("cannot start Keycloak from " + home + " in " + directory, e);
        }
    }

    private List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin").resolve("kc.sh").toString());
        command.add("start-dev");
        command.add("--import-realm");
        command.add("--http-host=127.0.0.1");
        command.add("--http-port=" + port);
        // A fixed hostname makes the issuer the same whichever name a client uses to reach the server.
        command.add("--hostname=" + url());
        command.add("--http-management-port=" + managementPort);
        command.add("--health-enabled=true");
        command.add("--cache=local");
        command.add("--db=dev-file");
        command.add("--db-url=jdbc:h2:file:" + directory.resolve("h2").resolve("keycloakdb") + ";NON_KEYWORDS=VALUE");
        return command;
    }

    /** Keycloak imports from its home's {@code data/import} only; the file is the same for every start. */
    private void installRealm() throws IOException {
        Path imports = Files.createDirectories(home.resolve("data").resolve("import"));
        Path temporary = Files.createTempFile(imports, "finetune-realm", ".tmp");
        try (InputStream in = KeycloakServer.class.getResourceAsStream(FinetuneRealm.RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(FinetuneRealm.RESOURCE + " missing from libs/testing: rebuild it");
            }
            Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(temporary, imports.resolve("finetune-realm.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private void awaitReady(Path log) {
        URI ready = URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String tail = tail(log);
                int exit = process.exitValue();
                process = null;
                throw new IllegalStateException("Keycloak exited with " + exit + ":\n" + tail);
            }
            if (answers(ready)) {
                return;
            }
            try {
                // Poll the health endpoint; waiting on the process returns at once should it exit.
                process.waitFor(250, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                destroy();
                throw new IllegalStateException("interrupted while Keycloak was starting", e);
            }
        }
        String tail = tail(log);
        destroy();
        throw new IllegalStateException("Keycloak was not ready at " + ready + " within " + START_TIMEOUT + ":\n" + tail);
    }

    private boolean answers(URI ready) {
        try {
            return http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops kc.sh, which forwards the signal to Keycloak's JVM, then anything of the tree still alive. */
    private synchronized void destroy() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle orphan : descendants.stream().filter(ProcessHandle::isAlive).toList()) {
            orphan.destroyForcibly();
            orphan.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(timedOut -> orphan).join();
        }
        process = null;
    }

    /** The unpacked distribution: {@code KEYCLOAK_HOME} when set, else where building libs/testing put it. */
    static Path home() {
        return existing(BuiltArtifact.locate("keycloak.properties", "home", "keycloak.home", "KEYCLOAK_HOME"));
    }

    private static Path existing(Path home) {
        if (!Files.isRegularFile(home.resolve("bin").resolve("kc.sh"))) {
            throw new IllegalStateException("Keycloak distribution not found at " + home
                    + ": build libs/testing (./mvnw -pl libs/testing -am verify unpacks it) or set KEYCLOAK_HOME");
        }
        return home;
    }

    private static String tail(Path log) {
        return BuiltArtifact.tail(log, 40);
    }
}

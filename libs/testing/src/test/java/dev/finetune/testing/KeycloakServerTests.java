package dev.finetune.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link KeycloakServer} runs a distribution, on a stand-in for Keycloak that starts in a second: a
 * {@code bin/kc.sh} that, like the real one, runs a JVM as its child and forwards SIGTERM to it, and whose
 * JVM serves {@code /health/ready} on the management port and starts a grandchild of its own.
 */
class KeycloakServerTests {

    @TempDir
    Path root;

    @Test
    void itAwaitsReadinessInstallsTheRealmAndStopsTheWholeProcessTree() throws IOException {
        Path home = standIn();
        Path directory = root.resolve("run");

        List<ProcessHandle> tree;
        try (KeycloakServer keycloak = KeycloakServer.start(home, fakeJdk21(), 0, directory)) {
            assertThat(keycloak.isRunning()).isTrue();
            assertThat(keycloak.issuer()).isEqualTo(keycloak.url() + "/realms/finetune");
            assertThat(home.resolve("data/import/finetune-realm.json")).exists();
            assertThat(Files.readString(directory.resolve("keycloak.log")))
                    .contains("start-dev", "--import-realm", "--health-enabled=true", "--hostname=" + keycloak.url(),
                            "jdbc:h2:file:" + directory.toAbsolutePath().resolve("h2"));
            ProcessHandle launcher = ProcessHandle.of(keycloak.pid()).orElseThrow();
            await().atMost(Duration.ofSeconds(30)).until(() -> launcher.descendants().anyMatch(
                    p -> p.info().command().orElse("").endsWith("sleep")));
            tree = launcher.descendants().toList();
        }
        assertThat(tree).isNotEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(tree).noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void aDistributionThatExitsIsReportedWithItsLog() throws IOException {
        Path home = root.resolve("broken");
        script(home.resolve("bin/kc.sh"), "echo 'ERROR: the database is locked'\nexit 3\n");

        assertThatThrownBy(() -> KeycloakServer.start(home, fakeJdk21(), 0, root.resolve("run")))
                .hasMessageContaining("exited with 3").hasMessageContaining("the database is locked");
    }

    @Test
    void aMissingDistributionSaysHowToGetIt() {
        assertThatThrownBy(() -> KeycloakServer.start(root.resolve("nowhere"), fakeJdk21(), 0, root.resolve("run")))
                .hasMessageContaining("KEYCLOAK_HOME").hasMessageContaining("libs/testing");
    }

    /** Serves 200 on /health/ready of the management port, and keeps a grandchild running. */
    private Path standIn() throws IOException {
        Path home = root.resolve("keycloak");
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("bin/Ready.java"), """
                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;
                public class Ready {
                    public static void main(String[] args) throws Exception {
                        new ProcessBuilder("sleep", "600").start();
                        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])), 0);
                        server.createContext("/health/ready", exchange -> {
                            exchange.sendResponseHeaders(200, -1);
                            exchange.close();
                        });
                        server.start();
                    }
                }
                """);
        script(home.resolve("bin/kc.sh"), """
                echo "kc.sh $*"
                for arg in "$@"; do
                  case "$arg" in --http-management-port=*) port="${arg#*=}";; esac
                done
                "$JAVA_HOME/bin/java" "$(dirname "$0")/Ready.java" "$port" &
                child=$!
                trap 'kill -TERM $child; wait $child; exit 143' TERM
                wait $child
                """);
        return home;
    }

    /** A JDK that says it is 21 and runs this JVM's java: KeycloakServer is handed a qualifying JDK. */
    private Path fakeJdk21() {
        try {
            Path jdk = root.resolve("jdk-21");
            Files.createDirectories(jdk);
            Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"21.0.7\"\n");
            script(jdk.resolve("bin/java"), "exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
            return jdk;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void script(Path path, String body) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}

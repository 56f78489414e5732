package dev.finetune.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One broker, one S3 server and one OIDC provider per test JVM, started on first use and stopped when the
 * JVM exits. Quarkus restarts the application between test classes with different resources; sharing the
 * infrastructure keeps that restart at a second instead of the broker's, S3Proxy's and Keycloak's start-up.
 */
public final class SharedInfrastructure {

    private static KafkaBroker kafka;
    private static S3ProxyServer s3;
    private static KeycloakServer keycloak;

    private SharedInfrastructure() {
    }

    public static synchronized KafkaBroker kafka() {
        if (kafka == null || !kafka.isRunning()) {
            kafka = KafkaBroker.startEphemeral();
            KafkaBroker started = kafka;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "kafka-broker-shutdown"));
        }
        return kafka;
    }

    public static synchronized S3ProxyServer s3() {
        if (s3 == null) {
            s3 = S3ProxyServer.start(0, scratchDirectory("s3proxy"), S3ProxyServer.DEFAULT_ACCESS_KEY,
                    S3ProxyServer.DEFAULT_SECRET_KEY);
        }
        s3.restart(); // a test may have stopped it to simulate an outage
        return s3;
    }

    /** Keycloak with the {@code finetune} realm (30 s to minutes to start on two cores; its JVM needs Java 21+). */
    public static synchronized KeycloakServer keycloak() {
        if (keycloak == null || !keycloak.isRunning()) {
            keycloak = KeycloakServer.start(scratchDirectory("keycloak"));
        }
        return keycloak;
    }

    /** Under the module's {@code target/}, so {@code mvn clean} removes what a run stored. */
    private static Path scratchDirectory(String prefix) {
        try {
            return Files.createDirectories(Path.of("target", prefix + "-" + ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

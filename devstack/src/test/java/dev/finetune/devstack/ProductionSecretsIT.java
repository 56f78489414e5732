package dev.finetune.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finetune.testing.FreePort;
import dev.finetune.testing.PostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A service's production build (the jar the stack and compose run) refuses to start with a well-known secret,
 * naming the setting and never its value; the stack itself starts because it hands out random ones.
 */
class ProductionSecretsIT {

    @Test
    void aProductionBuildWithAWellKnownS3SecretRefusesToStart() throws Exception {
        Path root = Path.of(System.getProperty("devstack.root")).toAbsolutePath();
        StackSettings settings = new StackSettings(root, root.resolve("devstack/target/secrets-it"), "finetune_secrets_it",
                FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(),
                FreePort.find(), FreePort.find());
        Files.createDirectories(settings.logDirectory());
        Map<String, String> environment = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", settings.bootstrapServers(),
                "STORAGE_ENDPOINT", settings.s3Endpoint(),
                "STORAGE_ACCESS_KEY", "q8Vx2mR7kLpZ4wN9sT1c",
                "STORAGE_SECRET_KEY", "minioadmin",
                "STORAGE_BUCKET", StackSettings.BUCKET,
                "QUARKUS_DATASOURCE_JDBC_URL", PostgresServer.database(settings.database()),
                "OIDC_ISSUER_URL", settings.issuer());
        ServiceProcess service = ServiceProcess.start("evaluation-service", settings.evaluationPort(),
                "evaluation-service-secrets", environment, settings);
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> !service.isAlive());
            assertThat(service.exitStatus()).isPresent();
            assertThat(service.exitStatus().getAsInt()).as("exit status").isNotZero();
            String log = Files.readString(service.log(), StandardCharsets.UTF_8);
            assertThat(log).contains("refusing to start with these secrets")
                    .contains("storage.secret-key is a well-known default value")
                    .doesNotContain("minioadmin");
        } finally {
            service.close();
        }
    }
}

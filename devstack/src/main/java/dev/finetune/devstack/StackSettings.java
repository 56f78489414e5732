package dev.finetune.devstack;

import dev.finetune.testing.FinetuneRealm;
import java.nio.file.Path;

/**
 * Where the local stack listens and keeps its state. The defaults are the ports the README and the
 * services' own configuration use; tests move every port to a free one so they never meet a running stack.
 */
public record StackSettings(Path projectRoot, Path stateDirectory, String database, int kafkaPort, int kafkaSaslPort,
        int s3Port, int datasetPort, int trainingPort, int evaluationPort, int registryPort, int keycloakPort) {

    public static final String BUCKET = "finetune";

    public static StackSettings defaults(Path projectRoot) {
        return new StackSettings(projectRoot, projectRoot.resolve(".devstack"), "finetune", 9092, 9094, 9000,
                8081, 8082, 8083, 8084, 8180);
    }

    /**
     * The broker's PLAINTEXT listener on 127.0.0.1: the operator's door, whose anonymous principal is the super
     * user (topics, credentials, ACLs, redrive, and tests that inspect every topic). Services never use it.
     */
    public String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    /** The SCRAM-SHA-512 listener (SASL_PLAINTEXT) where services and the demo sign in as their principals. */
    public String saslBootstrapServers() {
        return "127.0.0.1:" + kafkaSaslPort;
    }

    public String s3Endpoint() {
        return "http://127.0.0.1:" + s3Port;
    }

    /** The realm's issuer on the stack's Keycloak: what the services trust and what tokens carry. */
    public String issuer() {
        return "http://127.0.0.1:" + keycloakPort + "/realms/" + FinetuneRealm.NAME;
    }

    public Path logDirectory() {
        return stateDirectory.resolve("logs");
    }
}

package dev.finetune.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a Quarkus test at a database of its own on the machine's PostgreSQL, failing early with the
 * fix when the server is down. Every test JVM gets its own database ({@link PostgresServer#testDatabase}),
 * so a test that cancels every queued run or empties a table never touches another build's rows.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "quarkus.datasource.jdbc.url", PostgresServer.testDatabase(),
                "quarkus.datasource.username", PostgresServer.USERNAME,
                "quarkus.datasource.password", PostgresServer.PASSWORD);
    }

    @Override
    public void stop() {
        // The database outlives one test class: Quarkus restarts the application between classes of a
        // JVM, and the JVM's shutdown hook drops the database once (PostgresServer#testDatabase).
    }
}

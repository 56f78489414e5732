package dev.finetune.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points a Quarkus test at the machine's PostgreSQL, failing early with the fix when it is down. */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        PostgresServer.requireRunning();
        return Map.of(
                "quarkus.datasource.jdbc.url", PostgresServer.JDBC_URL,
                "quarkus.datasource.username", PostgresServer.USERNAME,
                "quarkus.datasource.password", PostgresServer.PASSWORD);
    }

    @Override
    public void stop() {
        // Nothing to stop: the server belongs to the machine.
    }
}

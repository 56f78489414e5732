package dev.finetune.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.InetSocketAddress;
import java.util.Map;

/**
 * Points a Quarkus test at a database of its own on the machine's PostgreSQL, failing early with the
 * fix when the server is down. Every test JVM gets its own database ({@link PostgresServer#testDatabase}),
 * so a test that cancels every queued run or empties a table never touches another build's rows.
 *
 * <p>The application reaches the server through a {@link TcpProxy} of its own ({@link #database()}), so a
 * fault test can take PostgreSQL away from the service under test ({@code database().cut()}) and give it
 * back ({@code restore()}) without stopping the machine's server, which other builds may be using.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private static volatile TcpProxy proxy;

    /** The proxy between the running application and its database; cut it to take the database away. */
    public static TcpProxy database() {
        TcpProxy current = proxy;
        if (current == null) {
            throw new IllegalStateException("no application is running with PostgresTestResource");
        }
        return current;
    }

    @Override
    public Map<String, String> start() {
        String url = PostgresServer.testDatabase();
        InetSocketAddress server = PostgresServer.address();
        proxy = TcpProxy.start(server.getHostString(), server.getPort());
        return Map.of(
                "quarkus.datasource.jdbc.url", PostgresServer.through(url, proxy.port()),
                "quarkus.datasource.username", PostgresServer.USERNAME,
                "quarkus.datasource.password", PostgresServer.PASSWORD);
    }

    @Override
    public void stop() {
        // The database outlives one test class: Quarkus restarts the application between classes of a
        // JVM, and the JVM's shutdown hook drops the database once (PostgresServer#testDatabase). The
        // proxy is the application's own and goes with it.
        TcpProxy current = proxy;
        if (current != null) {
            current.close();
        }
    }
}

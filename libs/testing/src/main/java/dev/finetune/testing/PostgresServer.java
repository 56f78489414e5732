package dev.finetune.testing;

import java.net.InetSocketAddress;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The PostgreSQL server the machine runs (no containers here). Tests and the local stack use it as it
 * is; each service keeps to its own schema, so they share the database without sharing tables.
 */
public final class PostgresServer {

    public static final String JDBC_URL = env("FINETUNE_DB_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USERNAME = env("FINETUNE_DB_USER", "postgres");
    public static final String PASSWORD = env("FINETUNE_DB_PASSWORD", "");

    private static String testDatabase;

    private PostgresServer() {
    }

    /**
     * The JDBC URL of this JVM's own test database ({@code test_<pid>}), created fresh on first use and
     * dropped when the JVM exits. Databases left by test JVMs that died without their shutdown hook are
     * dropped here too, so a killed build leaves nothing behind for long.
     */
    public static synchronized String testDatabase() {
        if (testDatabase == null) {
            dropOrphanedTestDatabases();
            String name = "test_" + ProcessHandle.current().pid();
            testDatabase = freshDatabase(name);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(name), "test-database-drop"));
        }
        return testDatabase;
    }

    private static void dropOrphanedTestDatabases() {
        requireRunning();
        try (Connection connection = DriverManager.getConnection(JDBC_URL, USERNAME, PASSWORD)) {
            var names = connection.createStatement()
                    .executeQuery("select datname from pg_database where datname ~ '^test_[0-9]+$'");
            while (names.next()) {
                String name = names.getString(1);
                long pid = Long.parseLong(name.substring("test_".length()));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue; // another build's JVM is using it
                }
                connection.createStatement().execute("drop database if exists " + name + " with (force)");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot list test databases: " + e.getMessage(), e);
        }
    }

    private static void drop(String name) {
        try (Connection connection = DriverManager.getConnection(JDBC_URL, USERNAME, PASSWORD)) {
            connection.createStatement().execute("drop database if exists " + name + " with (force)");
        } catch (SQLException e) {
            System.err.println("could not drop test database " + name + ": " + e.getMessage());
        }
    }

    /** Fails with the command that fixes it when the server does not answer. */
    public static void requireRunning() {
        try (Connection connection = DriverManager.getConnection(JDBC_URL, USERNAME, PASSWORD)) {
            connection.createStatement().execute("select 1");
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL is not reachable at " + JDBC_URL + " (" + e.getMessage()
                    + "). Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", e);
        }
    }

    /**
     * The JDBC URL of database {@code name} on the same server, created when missing. The local stack
     * keeps its own database so that what tests leave behind never reaches it.
     */
    public static String database(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        requireRunning();
        try (Connection connection = DriverManager.getConnection(JDBC_URL, USERNAME, PASSWORD)) {
            var exists = connection.prepareStatement("select 1 from pg_database where datname = ?");
            exists.setString(1, name);
            if (!exists.executeQuery().next()) {
                connection.createStatement().execute("create database " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return JDBC_URL.substring(0, JDBC_URL.lastIndexOf('/') + 1) + name;
    }

    /** Like {@link #database}, but drops the database first (closing its connections): a clean slate. */
    public static String freshDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        requireRunning();
        try (Connection connection = DriverManager.getConnection(JDBC_URL, USERNAME, PASSWORD)) {
            connection.createStatement().execute("drop database if exists " + name + " with (force)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop database " + name + ": " + e.getMessage(), e);
        }
        return database(name);
    }

    /** The server's host and port, as {@link #JDBC_URL} names them. */
    public static InetSocketAddress address() {
        URI uri = URI.create(JDBC_URL.substring("jdbc:".length()));
        return InetSocketAddress.createUnresolved(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort());
    }

    /** {@code jdbcUrl} with its host and port replaced by 127.0.0.1:{@code port} (a {@link TcpProxy}'s). */
    public static String through(String jdbcUrl, int port) {
        return jdbcUrl.replaceFirst("//[^/]+/", "//127.0.0.1:" + port + "/");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}

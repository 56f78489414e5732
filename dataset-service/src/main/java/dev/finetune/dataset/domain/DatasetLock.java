package dev.finetune.dataset.domain;

import dev.finetune.support.problem.ProblemException;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One build of a data set at a time, across every instance of the service: a PostgreSQL session advisory
 * lock held on its own connection for the length of a build. Two builds of one data set would both claim
 * the next version number and write the same objects; the lock makes the second wait instead.
 */
@ApplicationScoped
public class DatasetLock {

    private static final int NAMESPACE = 0x64617461; // "data"

    private final AgroalDataSource dataSource;

    public DatasetLock(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Waits up to {@code timeout} for the data set; throws {@link Busy} when another build keeps it. */
    public Held acquire(String dataset, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Connection connection = null;
        try {
            connection = dataSource.getConnection();
            while (true) {
                if (tryLock(connection, dataset)) {
                    return new Held(connection, dataset);
                }
                if (System.nanoTime() > deadline) {
                    throw new Busy(dataset, timeout);
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        } catch (SQLException e) {
            close(connection);
            throw new IllegalStateException("cannot lock data set " + dataset + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            close(connection);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the lock of data set " + dataset, e);
        } catch (RuntimeException e) {
            close(connection);
            throw e;
        }
    }

    private static boolean tryLock(Connection c, String dataset) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
            ps.setInt(1, NAMESPACE);
            ps.setString(2, dataset);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static void close(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot return a lock connection to the pool", e);
        }
    }

    /** The held lock; closing releases it. */
    public static final class Held implements AutoCloseable {
        private final Connection connection;
        private final String dataset;

        private Held(Connection connection, String dataset) {
            this.connection = connection;
            this.dataset = dataset;
        }

        @Override
        public void close() {
            try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?, hashtext(?))")) {
                ps.setInt(1, NAMESPACE);
                ps.setString(2, dataset);
                ps.execute();
            } catch (SQLException e) {
                throw new IllegalStateException("cannot release the lock of data set " + dataset, e);
            } finally {
                DatasetLock.close(connection);
            }
        }
    }

    /** Another build of the data set did not finish in time: a 409 {@code busy} when a request waited. */
    public static final class Busy extends ProblemException {
        public Busy(String dataset, Duration waited) {
            super(409, "busy", "The data set is being prepared",
                    "another version of data set '" + dataset + "' is being prepared; waited " + waited);
        }
    }
}

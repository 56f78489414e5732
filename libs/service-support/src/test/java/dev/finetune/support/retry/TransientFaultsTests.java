package dev.finetune.support.retry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParseException;
import dev.finetune.events.EventFormatException;
import dev.finetune.storage.MissingObjectException;
import dev.finetune.storage.StorageException;
import jakarta.persistence.PersistenceException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.hibernate.exception.JDBCConnectionException;
import org.junit.jupiter.api.Test;

/** The classifier on the failures the consumers really meet, found anywhere in the cause chain. */
class TransientFaultsTests {

    @Test
    void databaseConnectionFailuresAreTransient() {
        SQLException refused = new SQLException("Connection to 127.0.0.1:5432 refused", "08001");
        assertThat(TransientFaults.isTransient(refused)).isTrue();
        assertThat(TransientFaults.isTransient(new SQLException("I/O error", "08006"))).isTrue();
        assertThat(TransientFaults.isTransient(new SQLException("terminating connection", "57P01"))).isTrue();
        assertThat(TransientFaults.isTransient(new SQLException("deadlock detected", "40P01"))).isTrue();
        assertThat(TransientFaults.isTransient(new JDBCConnectionException("Unable to acquire JDBC Connection",
                refused))).isTrue();
        assertThat(TransientFaults.isTransient(new PersistenceException("commit failed",
                new IllegalStateException("transaction", refused)))).isTrue();
        // Agroal's pool says it with words, not a SQLSTATE.
        assertThat(TransientFaults.isTransient(new SQLException("Acquisition timeout while waiting for new connection")))
                .isTrue();
    }

    @Test
    void aCommitThatFailedBecauseTheConnectionDiedIsTransient() {
        // As Narayana reports it: RollbackException("Could not commit"), the database's error only suppressed in it.
        Exception xa = new Exception("Error trying to transactionCommit local transaction",
                new SQLException("An I/O error occurred while sending to the backend.", "08006"));
        RuntimeException rollback = new RuntimeException("ARJUNA016053: Could not commit transaction.");
        rollback.addSuppressed(xa);
        assertThat(TransientFaults.isTransient(new RuntimeException("Error invoking subclass method", rollback)))
                .isTrue();
        // A suppressed poison cause is still poison.
        RuntimeException poisoned = new RuntimeException("failed", new SQLException("io", "08006"));
        poisoned.addSuppressed(new IllegalArgumentException("not a label record"));
        assertThat(TransientFaults.isTransient(poisoned)).isFalse();
    }

    @Test
    void databaseErrorsAboutTheDataAreNot() {
        assertThat(TransientFaults.isTransient(new SQLException("duplicate key value", "23505"))).isFalse();
        assertThat(TransientFaults.isTransient(new SQLException("syntax error", "42601"))).isFalse();
        assertThat(TransientFaults.isTransient(new SQLException("no state"))).isFalse();
    }

    @Test
    void storageOutagesAreTransientAndAMissingObjectIsNot() {
        assertThat(TransientFaults.isTransient(new StorageException("get s3://b/k failed",
                new ConnectException("Connection refused")))).isTrue();
        assertThat(TransientFaults.isTransient(new IllegalStateException("scoring failed",
                new StorageException("read s3://b/k failed", new IOException("unexpected end of stream"))))).isTrue();
        assertThat(TransientFaults.isTransient(new MissingObjectException("get s3://b/k failed: NoSuchKey", null)))
                .isFalse();
    }

    @Test
    void brokerTimeoutsAreTransient() {
        assertThat(TransientFaults.isTransient(new org.apache.kafka.common.errors.TimeoutException("expired")))
                .isTrue();
        assertThat(TransientFaults.isTransient(new IllegalStateException("could not dead-letter",
                new TimeoutException()))).isTrue();
        assertThat(TransientFaults.isTransient(new SocketTimeoutException("read timed out"))).isTrue();
    }

    @Test
    void poisonIsNeverTransientWhateverElseTheChainHolds() {
        assertThat(TransientFaults.isTransient(new EventFormatException("LabelRecord: missing required field 'label'")))
                .isFalse();
        assertThat(TransientFaults.isTransient(new JsonParseException(null, "Unexpected end-of-input"))).isFalse();
        assertThat(TransientFaults.isTransient(new IllegalArgumentException("not an s3:// URI"))).isFalse();
        // Poison wrapping a transient-looking cause is still poison.
        assertThat(TransientFaults.isTransient(new EventFormatException("bad", new ConnectException("refused"))))
                .isFalse();
        // An exhausted retry is not retried again.
        assertThat(TransientFaults.isTransient(new TransientFaultsExhausted("c", Duration.ofMinutes(5),
                new SQLException("refused", "08001")))).isFalse();
    }

    @Test
    void unknownFailuresAreNotRetried() {
        assertThat(TransientFaults.isTransient(new NullPointerException())).isFalse();
        assertThat(TransientFaults.isTransient(new IllegalStateException("bug"))).isFalse();
        assertThat(TransientFaults.isTransient(new IOException("disk full"))).isFalse();
    }
}

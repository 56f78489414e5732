package dev.finetune.support.retry;

import com.fasterxml.jackson.core.JacksonException;
import dev.finetune.events.EventFormatException;
import dev.finetune.storage.MissingObjectException;
import dev.finetune.storage.StorageException;
import io.minio.errors.ErrorResponseException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.common.errors.RetriableException;
import org.hibernate.exception.JDBCConnectionException;

/**
 * Decides from an exception's cause chain whether a consumer's failure is transient (the database, the
 * artifact store or the broker is away or overloaded: the same record will succeed later) or not (the record
 * itself can never succeed: undecodable, invalid, naming a missing object). Anything it does not recognise as
 * transient is not retried: an unknown failure goes to the dead-letter topic at once rather than holding
 * its partition for the whole retry time. A chain holding a poison cause is poison whatever else it holds.
 */
public final class TransientFaults {

    /**
     * SQLSTATE prefixes and codes of faults that pass: 08 connection exception, 53 insufficient resources,
     * 57P01-57P03 server shutting down or starting, 40001 serialization failure, 40P01 deadlock, 55P03 lock
     * not available, 57014 statement cancelled (a timeout).
     */
    private static final Set<String> TRANSIENT_SQL_CLASSES = Set.of("08", "53");
    private static final Set<String> TRANSIENT_SQL_STATES = Set.of("57P01", "57P02", "57P03", "40001", "40P01",
            "55P03", "57014");
    /** The search stops after this many exceptions; a chain this deep is a bug elsewhere, not a fault to retry. */
    private static final int MAX_DEPTH = 32;

    private TransientFaults() {
    }

    /**
     * Whether retrying the same work later can succeed. The causes are searched with their suppressed
     * exceptions: a commit that fails because the connection died is a {@code RollbackException} whose
     * database error is only suppressed in it, not its cause (seen in FaultsIT with PostgreSQL cut mid-commit).
     */
    public static boolean isTransient(Throwable failure) {
        boolean transientCause = false;
        Deque<Throwable> pending = new ArrayDeque<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        pending.add(failure);
        while (!pending.isEmpty() && seen.size() < MAX_DEPTH) {
            Throwable t = pending.poll();
            if (t == null || !seen.add(t)) {
                continue;
            }
            if (isPoison(t)) {
                return false;
            }
            transientCause |= isTransientCause(t);
            if (t.getCause() != null) {
                pending.add(t.getCause());
            }
            pending.addAll(Arrays.asList(t.getSuppressed()));
        }
        return transientCause;
    }

    private static boolean isPoison(Throwable t) {
        return t instanceof EventFormatException
                || t instanceof MissingObjectException
                || t instanceof JacksonException
                || t instanceof TransientFaultsExhausted
                || t instanceof IllegalArgumentException;
    }

    private static boolean isTransientCause(Throwable t) {
        if (t instanceof JDBCConnectionException
                || t instanceof SQLTransientException
                || t instanceof SQLRecoverableException
                || t instanceof RetriableException // Kafka: timeouts, leader changes, network errors
                || t instanceof java.util.concurrent.TimeoutException // waiting for a broker's acknowledgement
                || t instanceof SocketException // ConnectException, connection reset
                || t instanceof SocketTimeoutException
                || t instanceof UnknownHostException) {
            return true;
        }
        if (t instanceof SQLException sql) {
            return transientSqlState(sql.getSQLState()) || acquisitionTimeout(sql);
        }
        if (t instanceof StorageException) {
            // Every artifact-store failure but a missing object (poison, above) and a refusal of the request
            // itself (4xx: access denied, bad request) is the store being away or failing: retried.
            return !(t.getCause() instanceof ErrorResponseException response) || serverError(response);
        }
        return false;
    }

    private static boolean transientSqlState(String state) {
        return state != null && state.length() == 5
                && (TRANSIENT_SQL_CLASSES.contains(state.substring(0, 2)) || TRANSIENT_SQL_STATES.contains(state));
    }

    /** Agroal's pool gives no SQLSTATE when no connection came within its acquisition timeout. */
    private static boolean acquisitionTimeout(SQLException sql) {
        return sql.getMessage() != null && sql.getMessage().toLowerCase(Locale.ROOT).contains("acquisition timeout");
    }

    private static boolean serverError(ErrorResponseException response) {
        return response.response() == null || response.response().code() >= 500
                || "SlowDown".equals(response.errorResponse().code());
    }
}

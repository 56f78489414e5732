package dev.finetune.dataset.domain;

import dev.finetune.dataset.ingest.RawRow;
import dev.finetune.events.LabelRecord;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Records from the teams' {@code labels.ingest.<team>} topics waiting for the trigger, per data set. */
@ApplicationScoped
public class PendingExamples {

    private final EntityManager entityManager;
    private final AgroalDataSource dataSource;

    public PendingExamples(EntityManager entityManager, AgroalDataSource dataSource) {
        this.entityManager = entityManager;
        this.dataSource = dataSource;
    }

    /**
     * A record from a {@code labels.ingest.<team>} topic with its Kafka coordinates, which make a redelivery recognisable, and
     * the W3C traceparent it was produced in (null when it came without one).
     */
    public record Arrival(LabelRecord record, String topic, int partition, long offset, String traceparent) {
    }

    /** What became of one data set's records of a batch. */
    public sealed interface Added {
        /** Stored; {@code count} of them were new. */
        record Stored(int count) implements Added {
        }

        /** None stored: the data set does not exist, and the records were not to create it. */
        record NoSuchDataset() implements Added {
        }

        /** None stored: the data set is {@code owner}'s, not the team whose topic the records came on. */
        record OtherTeam(String owner) implements Added {
        }
    }

    /**
     * Adds a batch of records of one data set that came on {@code team}'s topic, each with the trace it arrived in,
     * in one transaction and one JDBC batch; insert-or-ignore on the Kafka coordinates, so redelivered records are
     * not counted twice. Only a data set of that team takes them (its row is share-locked against a concurrent
     * delete meanwhile).
     */
    @Transactional
    public Added addAll(String dataset, String team, List<Arrival> arrivals, boolean createUnknown) {
        if (createUnknown) {
            // The topic proves the team (only its pipeline may write it), so the data set can be created as the
            // REST API would for a caller of that team; a concurrent creator of another team wins, and the
            // ownership check below refuses these records.
            entityManager.createNativeQuery("INSERT INTO dataset (name, team) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING")
                    .setParameter(1, dataset).setParameter(2, team).executeUpdate();
        }
        List<?> owner = entityManager.createNativeQuery("SELECT team FROM dataset WHERE name = ?1 FOR KEY SHARE")
                .setParameter(1, dataset).getResultList();
        if (owner.isEmpty()) {
            return new Added.NoSuchDataset();
        }
        if (!team.equals(owner.get(0))) {
            return new Added.OtherTeam((String) owner.get(0));
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO pending_example (dataset, text, label, source_id, topic, kafka_partition, kafka_offset,
                         traceparent)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                     ON CONFLICT (dataset, topic, kafka_partition, kafka_offset) DO NOTHING""")) {
            for (Arrival arrival : arrivals) {
                ps.setString(1, dataset);
                ps.setString(2, arrival.record().text());
                ps.setString(3, arrival.record().label());
                ps.setString(4, arrival.record().sourceId());
                ps.setString(5, arrival.topic());
                ps.setInt(6, arrival.partition());
                ps.setLong(7, arrival.offset());
                ps.setString(8, arrival.traceparent());
                ps.addBatch();
            }
            int added = 0;
            for (int count : ps.executeBatch()) {
                added += Math.max(count, 0);
            }
            return new Added.Stored(added);
        } catch (SQLException e) {
            throw new IllegalStateException("storing pending examples of " + dataset + " failed", e);
        }
    }

    /** How many are pending, counting no further than {@code atMost} (the trigger never needs more). */
    @Transactional
    public int count(String dataset, int atMost) {
        return ((Number) entityManager.createNativeQuery(
                        "SELECT count(*) FROM (SELECT 1 FROM pending_example WHERE dataset = ?1 LIMIT ?2) AS p")
                .setParameter(1, dataset).setParameter(2, atMost).getSingleResult()).intValue();
    }

    @Transactional
    public long countAll(String dataset) {
        return ((Number) entityManager.createNativeQuery("SELECT count(*) FROM pending_example WHERE dataset = ?1")
                .setParameter(1, dataset).getSingleResult()).longValue();
    }

    /** When the oldest pending record arrived. */
    @Transactional
    public Optional<Instant> oldest(String dataset) {
        List<?> rows = entityManager.createNativeQuery(
                        "SELECT received_at FROM pending_example WHERE dataset = ?1 ORDER BY id LIMIT 1", Instant.class)
                .setParameter(1, dataset).getResultList();
        return rows.stream().findFirst().map(Instant.class::cast);
    }

    /** Data sets with anything pending: what the time-based trigger looks at. */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<String> datasetsWithPending() {
        return entityManager.createNativeQuery("SELECT DISTINCT dataset FROM pending_example", String.class)
                .getResultList();
    }

    /** The newest pending id of a data set: a build takes everything up to it. */
    @Transactional
    public Optional<Long> newestId(String dataset) {
        Object max = entityManager.createNativeQuery("SELECT max(id) FROM pending_example WHERE dataset = ?1")
                .setParameter(1, dataset).getSingleResult();
        return Optional.ofNullable(max).map(m -> ((Number) m).longValue());
    }

    /** The trace the pending record {@code id} arrived in; null when it came before tracing. */
    @Transactional
    public String traceparent(long id) {
        List<?> rows = entityManager.createNativeQuery("SELECT traceparent FROM pending_example WHERE id = ?1")
                .setParameter(1, id).getResultList();
        return rows.isEmpty() ? null : (String) rows.get(0);
    }

    /** Removes what a version consumed, in the caller's transaction. */
    public int removeUpTo(String dataset, long maxId) {
        return entityManager.createNativeQuery("DELETE FROM pending_example WHERE dataset = ?1 AND id <= ?2")
                .setParameter(1, dataset).setParameter(2, maxId).executeUpdate();
    }

    /** One page of pending rows with id in (afterId, maxId], oldest first; plain JDBC, no entity per row. */
    public List<Page.Row> page(String dataset, long afterId, long maxId, int size) {
        List<Page.Row> rows = new ArrayList<>(size);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     SELECT id, text, label, source_id, topic, kafka_partition, kafka_offset FROM pending_example
                     WHERE dataset = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?""")) {
            ps.setString(1, dataset);
            ps.setLong(2, afterId);
            ps.setLong(3, maxId);
            ps.setInt(4, size);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Page.Row(rs.getLong(1), rs.getString(5), RawRow.kafka(rs.getInt(6), rs.getLong(7),
                            rs.getString(2), rs.getString(3), rs.getString(4))));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading pending examples of " + dataset + " failed", e);
        }
        return rows;
    }

    /** Namespace for page rows. */
    public static final class Page {
        private Page() {
        }

        /** A pending row with its id and topic. */
        public record Row(long id, String topic, RawRow row) {
        }
    }
}

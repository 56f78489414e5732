package dev.finetune.training.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A checkpoint of a run stored in S3. */
@Entity
@Table(name = "run_checkpoint")
@IdClass(RunCheckpoint.Key.class)
public class RunCheckpoint extends PanacheEntityBase {

    @Id
    @Column(name = "run_id")
    public UUID runId;
    @Id
    public long step;
    @Id
    public String reason;
    public String uri;
    public String sha256;
    public long size;
    @JdbcTypeCode(SqlTypes.JSON)
    public String metrics;
    public Instant at;

    /** Composite key. */
    public static class Key implements Serializable {
        public UUID runId;
        public long step;
        public String reason;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Objects.equals(runId, k.runId) && java.util.Objects.equals(step, k.step) && java.util.Objects.equals(reason, k.reason);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(runId, step, reason);
        }
    }
}

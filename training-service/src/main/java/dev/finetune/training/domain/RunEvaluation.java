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

/** The validation metrics of a run after one epoch: its metrics history. */
@Entity
@Table(name = "run_evaluation")
@IdClass(RunEvaluation.Key.class)
public class RunEvaluation extends PanacheEntityBase {

    @Id
    @Column(name = "run_id")
    public UUID runId;
    @Id
    public long step;
    public int epoch;
    @Column(name = "train_loss")
    public double trainLoss;
    @JdbcTypeCode(SqlTypes.JSON)
    public String metrics;
    public Instant at;

    /** Composite key. */
    public static class Key implements Serializable {
        public UUID runId;
        public long step;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && java.util.Objects.equals(runId, k.runId) && java.util.Objects.equals(step, k.step);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(runId, step);
        }
    }
}

package dev.finetune.training.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The training configuration of one data set name, set over REST. */
@Entity
@Table(name = "training_config")
public class DatasetTrainingConfig extends PanacheEntityBase {

    @Id
    public String dataset;
    @JdbcTypeCode(SqlTypes.JSON)
    public String hyperparameters;
    /** The team that owns the configuration: the data set's, or (before training knew it) the one that set it. */
    public String team;
    @Column(name = "updated_at")
    public Instant updatedAt;
}

package dev.finetune.registry.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "promotion_policy")
public class PolicyRecord extends PanacheEntityBase {
    @Id
    @Column(name = "model_name")
    public String modelName;
    @JdbcTypeCode(SqlTypes.JSON)
    public String policy;
    /** The team that set the policy: the model's team once the model exists, the caller's before. */
    public String team;
    @Column(name = "updated_at")
    public Instant updatedAt;
}

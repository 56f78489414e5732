package dev.finetune.registry.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "registered_model")
public class RegisteredModel extends PanacheEntityBase {
    @Id
    public String name;
    /** The team owning the model: the team in the lineage of its first version with one. */
    public String team;
    @Column(name = "created_at")
    public Instant createdAt;
}

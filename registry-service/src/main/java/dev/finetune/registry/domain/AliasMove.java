package dev.finetune.registry.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** One line of the append-only audit log of alias moves. */
@Entity
@Table(name = "alias_audit")
public class AliasMove extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "model_name")
    public String modelName;
    public String alias;
    @Column(name = "from_version")
    public Integer fromVersion;
    @Column(name = "to_version")
    public int toVersion;
    public String trigger;
    public String reason;
    public String actor;
    public Instant at;
}

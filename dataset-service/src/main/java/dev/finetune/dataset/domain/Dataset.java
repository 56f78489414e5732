package dev.finetune.dataset.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/** A named data set: the line its versions follow, with its own trigger settings where they differ. */
@Entity
@Table(name = "dataset")
public class Dataset extends PanacheEntityBase {

    @Id
    public String name;

    /** The team that owns the data set: only its members (and administrators) change it or read it. */
    @Column(nullable = false)
    public String team;

    @Column(name = "created_at", nullable = false, insertable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "trigger_new_examples")
    public Integer triggerNewExamples;

    @Column(name = "trigger_partial_examples")
    public Integer triggerPartialExamples;

    @Column(name = "trigger_partial_after_seconds")
    public Long triggerPartialAfterSeconds;

    @Column(name = "retry_at_pending")
    public Integer retryAtPending;

    @Column(name = "last_failure")
    public String lastFailure;

    /** By name; {@code teams}, when not null, limits to the data sets they own. */
    public static List<Dataset> allByName(java.util.Set<String> teams) {
        if (teams == null) {
            return list("order by name");
        }
        return list("team in ?1 order by name", teams.isEmpty() ? java.util.Set.of("") : teams);
    }
}

package dev.finetune.evaluation.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** The production version of a model, as the latest {@code models.promoted} of that model said. */
@Entity
@Table(name = "champion")
public class Champion extends PanacheEntityBase {

    @Id
    @Column(name = "model_name")
    public String modelName;

    public int version;

    @Column(name = "package_uri")
    public String packageUri;

    @Column(name = "package_sha256")
    public String packageSha256;

    @Column(name = "promoted_at")
    public Instant promotedAt;

    @Column(name = "event_id")
    public UUID eventId;
}

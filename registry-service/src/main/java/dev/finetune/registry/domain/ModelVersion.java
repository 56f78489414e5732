package dev.finetune.registry.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A version of a registered model with its lineage, scores and the decision taken on it. */
@Entity
@Table(name = "model_version")
@IdClass(ModelVersion.Key.class)
public class ModelVersion extends PanacheEntityBase {

    public enum Status { CANDIDATE, PROMOTED, REJECTED }

    @Id
    @Column(name = "model_name")
    public String modelName;
    @Id
    public int version;
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public Status status;
    @Column(name = "package_uri")
    public String packageUri;
    @Column(name = "package_sha256")
    public String packageSha256;
    public String dataset;
    /** The team owning the version, from its lineage. */
    public String team;
    @Column(name = "dataset_version")
    public int datasetVersion;
    @Column(name = "manifest_uri")
    public String manifestUri;
    @Column(name = "run_id")
    public String runId;
    public int step;
    /** The lineage's splits (JSON: name to uri, sha256, examples) as the evaluation carried them. */
    @JdbcTypeCode(SqlTypes.JSON)
    public String splits;
    @Column(name = "evaluation_id")
    public String evaluationId;
    @JdbcTypeCode(SqlTypes.JSON)
    public String metrics;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "per_label_f1")
    public String perLabelF1;
    @JdbcTypeCode(SqlTypes.JSON)
    public String champion;
    @Column(name = "report_uri")
    public String reportUri;
    @JdbcTypeCode(SqlTypes.JSON)
    public String decision;
    @JdbcTypeCode(SqlTypes.JSON)
    public String tags;
    @Column(name = "correlation_id")
    public String correlationId;
    @Column(name = "created_at")
    public Instant createdAt;

    public static class Key implements Serializable {
        public String modelName;
        public int version;

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(modelName, k.modelName) && version == k.version;
        }

        @Override
        public int hashCode() {
            return Objects.hash(modelName, version);
        }
    }
}

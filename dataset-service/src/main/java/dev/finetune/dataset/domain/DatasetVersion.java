package dev.finetune.dataset.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One immutable version of a data set; its manifest (the same JSON as in S3) holds splits, statistics, report. */
@Entity
@Table(name = "dataset_version")
@IdClass(DatasetVersion.Key.class)
public class DatasetVersion extends PanacheEntityBase {

    @Id
    public String dataset;

    @Id
    public int version;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** {@code upload} or {@code labels.ingest}. */
    @Column(nullable = false)
    public String source;

    /** {@code append} or {@code replace}. */
    @Column(nullable = false)
    public String mode;

    @Column(name = "content_sha256", nullable = false)
    public String contentSha256;

    @Column(name = "manifest_uri", nullable = false)
    public String manifestUri;

    @Column(nullable = false)
    public long examples;

    @Column(nullable = false)
    public String manifest;

    public static Optional<DatasetVersion> latest(String dataset) {
        return find("dataset = ?1 order by version desc", dataset).firstResultOptional();
    }

    public static Optional<DatasetVersion> of(String dataset, int version) {
        return find("dataset = ?1 and version = ?2", dataset, version).firstResultOptional();
    }

    public static List<DatasetVersion> allOf(String dataset) {
        return list("dataset = ?1 order by version", dataset);
    }

    /** Composite key: data set name and version number. */
    public static class Key implements Serializable {
        public String dataset;
        public int version;

        public Key() {
        }

        public Key(String dataset, int version) {
            this.dataset = dataset;
            this.version = version;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.version == version && Objects.equals(k.dataset, dataset);
        }

        @Override
        public int hashCode() {
            return Objects.hash(dataset, version);
        }
    }
}

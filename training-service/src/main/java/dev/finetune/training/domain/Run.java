package dev.finetune.training.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One training run: what it trains on, with which hyperparameters, who owns it and how far it got. */
@Entity
@Table(name = "training_run")
public class Run extends PanacheEntityBase {

    @Id
    public UUID id;
    public String dataset;
    /** The team that owns the data set (from {@code datasets.prepared}), and so the run; 'unassigned' on old rows. */
    public String team;
    @Column(name = "dataset_version")
    public int datasetVersion;
    /** The version's content checksum ({@code datasets.prepared}'s {@code contentSha256}); '' on rows from before it. */
    @Column(name = "content_sha256")
    public String contentSha256;
    @Column(name = "manifest_uri")
    public String manifestUri;
    @Column(name = "train_uri")
    public String trainUri;
    @Column(name = "validation_uri")
    public String validationUri;
    /**
     * The data set version's splits as {@code datasets.prepared} announced them (JSON: name to uri, sha256,
     * examples; read with {@link RunStore#splitsOf}); null on runs queued before they were kept.
     */
    @JdbcTypeCode(SqlTypes.JSON)
    public String splits;
    @Column(name = "model_name")
    public String modelName;
    @JdbcTypeCode(SqlTypes.JSON)
    public String hyperparameters;
    @Column(name = "config_hash")
    public String configHash;
    @Column(name = "correlation_id")
    public String correlationId;
    @Column(name = "source_event_id")
    public UUID sourceEventId;
    /** The failed or cancelled run this one retries ({@code POST /runs/{id}/retry}); null for a first run. */
    @Column(name = "retry_of")
    public UUID retryOf;
    /** The trace of the work that queued the run; its execution and events continue it. Null on old rows. */
    public String traceparent;
    @Enumerated(EnumType.STRING)
    public RunStatus status;
    @Column(name = "failure_reason")
    public String failureReason;
    @Column(name = "cancel_requested")
    public boolean cancelRequested;
    public String owner;
    @Column(name = "lease_until")
    public Instant leaseUntil;
    public int attempts;

    /** Attempts whose instance stopped without ending the run: found by their lease running out. */
    @Column(name = "interrupted_attempts")
    public int interruptedAttempts;
    @Column(name = "executed_by")
    public String executedBy;
    public long step;
    @Column(name = "total_steps")
    public long totalSteps;
    @Column(name = "last_loss")
    public Double lastLoss;
    @Column(name = "samples_per_second")
    public Double samplesPerSecond;

    /** Steps whose update the non-finite guard skipped, as the last heartbeat reported them; 0 in a correct run. */
    @Column(name = "skipped_steps")
    public long skippedSteps;
    @Column(name = "resume_checkpoint_uri")
    public String resumeCheckpointUri;
    @Column(name = "resume_step")
    public Long resumeStep;
    @Column(name = "best_checkpoint_uri")
    public String bestCheckpointUri;
    @Column(name = "best_checkpoint_sha256")
    public String bestCheckpointSha256;
    @Column(name = "best_step")
    public Long bestStep;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "best_metrics")
    public String bestMetrics;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "progressed_at")
    public Instant progressedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
}

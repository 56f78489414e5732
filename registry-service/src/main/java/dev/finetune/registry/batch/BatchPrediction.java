package dev.finetune.registry.batch;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A job scoring every row of an input file with one version of a model, its predictions stored as JSON Lines. */
@Entity
@Table(name = "batch_prediction")
public class BatchPrediction extends PanacheEntityBase {

    public enum Status { QUEUED, RUNNING, SUCCEEDED, FAILED }

    @Id
    public String id;
    @Column(name = "model_name")
    public String modelName;
    /** The version that scores every row: an alias asked for is resolved once, when the job is created. */
    public int version;
    public String team;
    @Enumerated(EnumType.STRING)
    public InputFormat format;
    @Column(name = "input_uri")
    public String inputUri;
    @Column(name = "input_bytes")
    public long inputBytes;
    @Column(name = "output_uri")
    public String outputUri;
    @Enumerated(EnumType.STRING)
    public Status status;
    @Column(name = "rows_scored")
    public long rowsScored;
    /** Of the input, as progress: {@code bytesRead / inputBytes} of the job is done. */
    @Column(name = "bytes_read")
    public long bytesRead;
    @Column(name = "failure_reason")
    public String failureReason;
    /** The instance executing it ({@code pid@host/random}); null while queued. */
    public String owner;
    public int attempts;
    @Column(name = "heartbeat_at")
    public Instant heartbeatAt;
    @Column(name = "created_by")
    public String createdBy;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;

    public boolean ended() {
        return status == Status.SUCCEEDED || status == Status.FAILED;
    }
}

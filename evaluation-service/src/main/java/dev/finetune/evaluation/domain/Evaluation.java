package dev.finetune.evaluation.domain;

import dev.finetune.events.EvaluationCompleted;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * One Evaluation of a candidate checkpoint on its data set version's test split: succeeded with metrics and a
 * report, or failed with the reason. The {@code evaluations.completed} event is rebuilt from this row by
 * {@link EvaluationMapper}, with the same event id, so a re-publish after a crash is recognisable downstream.
 * Metric maps and the champion comparison are JSON text.
 */
@Entity
@Table(name = "evaluation")
public class Evaluation extends PanacheEntityBase {

    @Id
    public String id;

    @Column(name = "event_id")
    public UUID eventId;

    @Column(name = "occurred_at")
    public Instant occurredAt;

    @Column(name = "correlation_id")
    public String correlationId;

    @Column(name = "checkpoint_event_id")
    public UUID checkpointEventId;

    @Enumerated(EnumType.STRING)
    public EvaluationCompleted.Status status;

    public String reason;

    @Column(name = "model_name")
    public String modelName;

    public String dataset;
    /** The team that owns the data set, and so this evaluation (from the lineage). */
    public String team;

    @Column(name = "dataset_version")
    public int datasetVersion;

    @Column(name = "dataset_manifest_uri")
    public String datasetManifestUri;

    @Column(name = "run_id")
    public String runId;

    /** The checkpoint's name within its run, e.g. {@code ckpt-300}. */
    public String checkpoint;

    @Column(name = "checkpoint_uri")
    public String checkpointUri;

    @Column(name = "checkpoint_sha256")
    public String checkpointSha256;

    public int step;

    /** The lineage's splits as JSON (name to uri, sha256, examples): the test split is read from here. */
    @Column(name = "lineage_splits")
    public String lineageSplits;

    @Column(name = "test_split_uri")
    public String testSplitUri;

    @Column(name = "test_split_sha256")
    public String testSplitSha256;

    @Column(name = "test_examples")
    public Integer testExamples;

    public String metrics;

    @Column(name = "per_label_f1")
    public String perLabelF1;

    public String champion;

    @Column(name = "report_uri")
    public String reportUri;

    @Column(name = "confusion_uri")
    public String confusionUri;

    @Column(name = "reliability_uri")
    public String reliabilityUri;

    /** The failed evaluation this one retries ({@code POST /evaluations/{id}/retry}); null for a first attempt. */
    @Column(name = "retry_of")
    public String retryOf;
}

package dev.finetune.training.domain;

/** Where a run is in its life; queued and running runs are the work of the consumers' group. */
public enum RunStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}

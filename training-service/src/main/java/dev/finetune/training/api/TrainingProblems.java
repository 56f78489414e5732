package dev.finetune.training.api;

import dev.finetune.support.problem.ProblemException;
import java.util.UUID;

/**
 * The training API's refusals, each a kind of its own (docs/training-service.md lists them with the shared ones);
 * an out-of-bounds hyperparameter is {@code invalid-hyperparameters}, raised where it is checked.
 */
final class TrainingProblems {

    private TrainingProblems() {
    }

    static ProblemException runNotFound(UUID id) {
        return new ProblemException(404, "run-not-found", "No such run", "no run " + id);
    }

    static ProblemException datasetVersionUnknown(String dataset, int version) {
        return new ProblemException(404, "dataset-version-unknown", "Data set version unknown here", "data set "
                + dataset + " v" + version + " is unknown here: no datasets.prepared event has announced it (with its "
                + "splits' checksums)")
                .with("dataset", dataset).with("version", version);
    }

    static ProblemException missingField(String detail) {
        return new ProblemException(400, "missing-field", "A required field is missing", detail);
    }

    static ProblemException invalidParameter(String detail) {
        return new ProblemException(400, "invalid-parameter", "Invalid parameter", detail);
    }

    static ProblemException runEnded(UUID id, Object status) {
        return new ProblemException(409, "run-ended", "The run has ended", "run " + id + " has already ended: "
                + status).with("status", String.valueOf(status));
    }

    static ProblemException runExists(UUID id) {
        return new ProblemException(409, "run-exists", "The same run exists", "run " + id
                + " already trains this data set version with these hyperparameters").with("runId", id.toString());
    }

    static ProblemException runNotRetryable(UUID id, Object status) {
        return new ProblemException(409, "run-not-retryable", "Only a failed or cancelled run can be retried", "run "
                + id + " is " + status + ": only a failed or cancelled run can be retried")
                .with("status", String.valueOf(status));
    }

    static ProblemException runRetriedAlready(UUID id, UUID retry) {
        return new ProblemException(409, "run-retried-already", "The run was retried already", "run " + id
                + " was retried already as run " + retry + " (retry that one if it failed too)")
                .with("retryRunId", retry.toString());
    }

    static ProblemException tooManyStreams(int max) {
        return new ProblemException(429, "too-many-streams", "Too many progress streams open", "this instance "
                + "serves at most " + max + " progress streams at once; retry shortly (or on another instance)");
    }
}

package dev.finetune.evaluation.api;

import dev.finetune.support.problem.ProblemException;

/** The evaluation API's refusals, each a kind of its own (docs/evaluation-service.md lists them). */
final class EvaluationProblems {

    private EvaluationProblems() {
    }

    static ProblemException evaluationNotFound(String id) {
        return new ProblemException(404, "evaluation-not-found", "No such evaluation", "no evaluation " + id);
    }

    static ProblemException pictureNotFound(String id, String what) {
        return new ProblemException(404, "picture-not-found", "The evaluation has no such picture", "evaluation "
                + id + " has no " + what + " (it failed)");
    }

    static ProblemException invalidParameter(String detail) {
        return new ProblemException(400, "invalid-parameter", "Invalid parameter", detail);
    }

    static ProblemException evaluationNotRetryable(String id, Object status) {
        return new ProblemException(409, "evaluation-not-retryable", "Only a failed evaluation can be retried",
                "evaluation " + id + " is " + status + ": only a failed evaluation can be retried")
                .with("status", String.valueOf(status));
    }

    static ProblemException checkpointScoredAlready(String checkpointUri, String evaluationId) {
        return new ProblemException(409, "checkpoint-scored-already", "The checkpoint was scored already",
                "checkpoint " + checkpointUri + " was scored on its test split already, as evaluation "
                        + evaluationId).with("evaluationId", evaluationId);
    }
}

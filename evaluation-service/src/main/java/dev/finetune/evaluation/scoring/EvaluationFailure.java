package dev.finetune.evaluation.scoring;

/**
 * Why a checkpoint could not be scored, in words that name the object at fault (which URI, which sha256). Its
 * message becomes the {@code reason} of a failed {@code evaluations.completed}.
 */
public class EvaluationFailure extends RuntimeException {

    public EvaluationFailure(String message) {
        super(message);
    }

    public EvaluationFailure(String message, Throwable cause) {
        super(message, cause);
    }
}

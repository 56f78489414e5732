package dev.finetune.dataset.api;

import dev.finetune.support.problem.ProblemException;

/**
 * The data set API's own refusals that concern no upload's content (those are FatalProblems): each a kind of its
 * own, listed in docs/dataset-service.md. Answered by the shared ProblemMappers like every other problem.
 */
final class Problems {

    private Problems() {
    }

    static ProblemException datasetNotFound(String name) {
        return new ProblemException(404, "dataset-not-found", "No such data set", "data set " + name
                + " does not exist").with("dataset", name);
    }

    static ProblemException versionNotFound(String name, int version) {
        return new ProblemException(404, "version-not-found", "No such data set version", "version " + version
                + " of data set " + name + " does not exist").with("dataset", name).with("version", version);
    }

    static ProblemException splitNotFound(String split) {
        return new ProblemException(404, "split-not-found", "No such split", "split '" + split
                + "' does not exist (train, validation, test)");
    }

    static ProblemException tooManyUploads(int max) {
        return new ProblemException(429, "too-many-uploads", "Too many uploads at once", "this instance takes at most "
                + max + " uploads at once (dataset.upload.max-concurrent); retry shortly");
    }

    static ProblemException invalidParameter(String title, String detail) {
        return new ProblemException(400, "invalid-parameter", title, detail);
    }
}

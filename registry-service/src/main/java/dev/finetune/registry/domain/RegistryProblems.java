package dev.finetune.registry.domain;

import dev.finetune.support.problem.ProblemException;

/**
 * The registry's refusals, each a kind of its own (docs/registry-service.md lists them): the REST API and the
 * registry's moves throw them; the shared ProblemMappers answer them. An invalid policy is {@code invalid-policy},
 * raised where the policy is checked.
 */
public final class RegistryProblems {

    private RegistryProblems() {
    }

    public static ProblemException modelNotFound(String model) {
        return new ProblemException(404, "model-not-found", "No such model", "no model " + model);
    }

    public static ProblemException versionNotFound(String model, int version) {
        return new ProblemException(404, "model-version-not-found", "No such model version", "model " + model
                + " has no version " + version);
    }

    public static ProblemException noProductionVersion(String model) {
        return new ProblemException(404, "no-production-version", "The model has no production version", "model "
                + model + " has no production version");
    }

    public static ProblemException alreadyProduction(String model, int version) {
        return new ProblemException(409, "already-production", "The version is production already", "v" + version
                + " of " + model + " is production already");
    }

    public static ProblemException noEarlierVersion(String model) {
        return new ProblemException(409, "no-earlier-version", "Nothing to roll back to", "production of " + model
                + " has no earlier version to roll back to");
    }

    public static ProblemException invalidAlias(String alias) {
        return new ProblemException(400, "invalid-alias", "Not an alias name", "alias '" + alias + "' must match "
                + Registry.ALIAS.pattern());
    }

    public static ProblemException productionAlias(String model) {
        return new ProblemException(409, "production-alias", "Production moves by promote and rollback",
                "production of " + model + " moves by POST /models/" + model + "/versions/{version}/promote or /rollback,"
                        + " which announce it on models.promoted");
    }

    public static ProblemException missingReason() {
        return new ProblemException(400, "missing-reason", "A reason is required",
                "a reason is required: {\"reason\": \"...\"}");
    }

    public static ProblemException invalidInputs(String detail) {
        return new ProblemException(400, "invalid-inputs", "The inputs are not a list of texts", detail);
    }

    public static ProblemException tooManyInputs(int count, int max) {
        return new ProblemException(413, "too-many-inputs", "Too many inputs", count + " inputs; at most " + max
                + " per request");
    }

    public static ProblemException inputTooLong(int index, int length, int max) {
        return new ProblemException(413, "input-too-long", "An input is too long", "inputs[" + index + "] has "
                + length + " characters; at most " + max);
    }

    public static ProblemException tooManyPredictions(int max) {
        return new ProblemException(429, "too-many-predictions", "Too many predictions at once", "this instance "
                + "computes at most " + max + " predictions at once; retry shortly");
    }

    /** {@code what} names the version asked for, e.g. "the production version of reviews (v3)". */
    public static ProblemException modelLoading(String what) {
        return new ProblemException(503, "model-loading", "The model is loading", what + " is loading; retry shortly");
    }

    public static ProblemException aliasNotFound(String model, String alias) {
        return new ProblemException(404, "alias-not-found", "No such alias", "model " + model + " has no alias "
                + alias);
    }

    public static ProblemException invalidParameter(String detail) {
        return new ProblemException(400, "invalid-parameter", "Invalid parameter", detail);
    }

    public static ProblemException versionAndAlias() {
        return new ProblemException(400, "version-and-alias", "Both a version and an alias",
                "ask for ?version= or ?alias=, not both");
    }

    /**
     * A package whose checksum fails is never served: 409 when an alias was to move to it (nothing moved), 500 when
     * predict asked for it (what the store holds is not what was registered; someone must put it right).
     */
    public static ProblemException packageUnverified(PackageUnverified e, int status) {
        return new ProblemException(status, "package-unverified", "The package does not match its checksum",
                e.getMessage()).with("model", e.model()).with("version", e.version());
    }

    /** An alias is not moved to a version this instance cannot load now; the move can be asked for again. */
    public static ProblemException packageUnavailable(String model, int version, String why) {
        return new ProblemException(503, "package-unavailable", "The package cannot be loaded now", "v" + version
                + " of " + model + " cannot be loaded now (" + why + "); production did not move, retry shortly");
    }

    public static ProblemException artifactStoreUnavailable(String detail) {
        return new ProblemException(503, "artifact-store-unavailable", "The artifact store is unavailable", detail
                + "; retry shortly");
    }

    public static ProblemException batchPredictionNotFound(String model, String id) {
        return new ProblemException(404, "batch-prediction-not-found", "No such batch prediction", "model " + model
                + " has no batch prediction " + id);
    }

    public static ProblemException batchPredictionNotSucceeded(String id, String status, String reason) {
        return new ProblemException(409, "batch-prediction-not-succeeded", "The batch prediction has no predictions",
                "batch prediction " + id + " is " + status + (reason == null ? "" : ": " + reason));
    }

    public static ProblemException invalidBatchInput(String detail) {
        return new ProblemException(400, "invalid-batch-input", "The batch prediction's input is not usable", detail);
    }

    public static ProblemException batchInputTooLarge(long size, long max) {
        return new ProblemException(413, "batch-input-too-large", "The input is too large", "the input has "
                + (size < 0 ? "more than " + max : size) + " bytes; at most " + max + " (registry.batch.max-input-bytes)")
                .with("maxInputBytes", max);
    }

    public static ProblemException batchInputForbidden(String uri) {
        return new ProblemException(403, "batch-input-forbidden", "The input may not be read", uri + " is one of the "
                + "platform's own objects; put inputs under s3://<platform bucket>/batch-inputs/ or in a bucket of "
                + "your own that the registry may read, or upload the file");
    }
}

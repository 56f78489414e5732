package dev.finetune.support.access;

/**
 * The platform's roles, as a token's {@code realm_access.roles} names them (docs/operations.md#sign-in has the
 * table of endpoint to role). A provider expands composites: a contributor or approver also holds {@link #READER},
 * an {@link #ADMIN} holds all of them, so an endpoint names only the least role that may call it.
 */
public final class Roles {

    /** Reads data sets, runs, evaluations, models and policies. */
    public static final String READER = "reader";
    /** Contributes data and runs: uploads, training configurations, starting, cancelling and retrying runs. */
    public static final String CONTRIBUTOR = "contributor";
    /** Promotion policies, manual promotion, rollback, deleting a data set. */
    public static final String APPROVER = "approver";
    /** Asks a model for predictions. */
    public static final String PREDICTOR = "predictor";
    /** Acts on every team's data sets and models. */
    public static final String ADMIN = "admin";

    private Roles() {
    }
}

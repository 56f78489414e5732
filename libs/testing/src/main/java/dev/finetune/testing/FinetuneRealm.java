package dev.finetune.testing;

import java.util.List;

/**
 * The names in the development realm {@code finetune} ({@code keycloak/finetune-realm.json} beside this
 * class), so tests and the local stack do not repeat them. Every password and secret here is public: the
 * realm is for development and tests only.
 */
public final class FinetuneRealm {

    public static final String NAME = "finetune";
    /** The audience every token of the realm carries, and the one the services check. */
    public static final String AUDIENCE = "finetune";
    /** The realm file inside libs/testing's jar. */
    public static final String RESOURCE = "keycloak/finetune-realm.json";

    public static final String READER = "reader";
    public static final String CONTRIBUTOR = "contributor";
    public static final String APPROVER = "approver";
    public static final String PREDICTOR = "predictor";
    public static final String ADMIN = "admin";
    public static final List<String> ROLES = List.of(READER, CONTRIBUTOR, APPROVER, PREDICTOR, ADMIN);

    public static final String TEAM_A = "team-a";
    public static final String TEAM_B = "team-b";

    /**
     * A member of team-a who contributes, approves and predicts: the person the local stack's tests act as. The
     * demo signs in as the {@link #PIPELINE_CLIENT} to contribute and as {@code predictor-a} to predict.
     */
    public static final String OPERATOR_A = "operator-a";

    /** Public client for people: the password grant in development. */
    public static final String CLI_CLIENT = "finetune-cli";
    /** Confidential client of team-a's pipelines (client-credentials grant). */
    public static final String PIPELINE_CLIENT = "pipeline";
    public static final List<String> SERVICE_CLIENTS =
            List.of("dataset-service", "training-service", "evaluation-service", "registry-service");

    private FinetuneRealm() {
    }

    /**
     * {@code roles} with the roles each includes, as the realm's composite roles put them into a token's
     * {@code realm_access.roles}: a contributor or an approver is a reader too; an admin holds every role.
     */
    public static java.util.SortedSet<String> expand(java.util.Collection<String> roles) {
        java.util.SortedSet<String> expanded = new java.util.TreeSet<>(roles);
        if (roles.contains(ADMIN)) {
            expanded.addAll(ROLES);
        }
        if (expanded.contains(CONTRIBUTOR) || expanded.contains(APPROVER)) {
            expanded.add(READER);
        }
        return expanded;
    }

    /** A user's development password: its name followed by {@code -dev}. */
    public static String password(String username) {
        return username + "-dev";
    }

    /** A confidential client's development secret: its id followed by {@code -dev-secret}. */
    public static String secret(String clientId) {
        return clientId + "-dev-secret";
    }
}

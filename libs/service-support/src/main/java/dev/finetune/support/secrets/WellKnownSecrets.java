package dev.finetune.support.secrets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rule a production secret must pass: present, and not one anybody could guess because it is printed in
 * a README, a sample file or this repository (MinIO's and S3Proxy's defaults, the development realm's
 * {@code *-dev} passwords and {@code *-dev-secret}s, the local stack's keys, placeholders). Plain Java so that
 * the rule is tested without starting a service.
 */
public final class WellKnownSecrets {

    private static final Set<String> KNOWN = Set.of(
            "minioadmin", "minio123", "local-identity", "local-credential", // MinIO's and S3Proxy's defaults
            "finetune", "finetune-secret", // the local stack's S3 keys (application.properties %dev)
            "password", "passw0rd", "postgres", "admin", "secret", "changeme", "change-me", "change_me",
            "test", "guest", "root", "123456", "12345678", "default", "example");

    private WellKnownSecrets() {
    }

    /**
     * What is wrong with each secret, by setting name (the value is never part of the answer). {@code required}
     * settings must be present; {@code optional} ones are checked only when set (a database on trust
     * authentication has no password).
     */
    public static List<String> problems(Map<String, Optional<String>> required, Map<String, Optional<String>> optional) {
        List<String> problems = new ArrayList<>();
        required.forEach((name, value) -> {
            if (value.isEmpty() || value.get().isBlank()) {
                problems.add(name + " is missing: set it in the environment");
            } else {
                reason(value.get()).ifPresent(reason -> problems.add(name + " " + reason));
            }
        });
        optional.forEach((name, value) -> value.filter(v -> !v.isBlank()).flatMap(WellKnownSecrets::reason)
                .ifPresent(reason -> problems.add(name + " " + reason)));
        return problems;
    }

    /** Why {@code value} is not a secret, if it is not. */
    static Optional<String> reason(String value) {
        String lower = value.trim().toLowerCase(Locale.ROOT);
        if (KNOWN.contains(lower)) {
            return Optional.of("is a well-known default value");
        }
        if (lower.endsWith("-dev-secret") || lower.endsWith("-dev")) {
            return Optional.of("is a development secret of the realm finetune (public in this repository)");
        }
        if (lower.startsWith("change") || lower.startsWith("<")) {
            return Optional.of("is a placeholder (e.g. from .env.example)");
        }
        if (value.length() < 8) {
            return Optional.of("is shorter than 8 characters");
        }
        return Optional.empty();
    }
}

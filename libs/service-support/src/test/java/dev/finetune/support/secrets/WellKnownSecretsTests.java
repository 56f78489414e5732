package dev.finetune.support.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WellKnownSecretsTests {

    @Test
    void missingAndWellKnownRequiredSecretsAreNamedWithoutTheirValues() {
        Map<String, Optional<String>> required = new LinkedHashMap<>();
        required.put("storage.access-key", Optional.empty());
        required.put("storage.secret-key", Optional.of("minioadmin"));
        required.put("oidc.client-secret", Optional.of("pipeline-dev-secret"));
        required.put("other.secret", Optional.of("CHANGE-ME-please"));

        assertThat(WellKnownSecrets.problems(required, Map.of())).containsExactly(
                "storage.access-key is missing: set it in the environment",
                "storage.secret-key is a well-known default value",
                "oidc.client-secret is a development secret of the realm finetune (public in this repository)",
                "other.secret is a placeholder (e.g. from .env.example)");
        assertThat(String.join(" ", WellKnownSecrets.problems(required, Map.of())))
                .doesNotContain("minioadmin", "pipeline-dev-secret", "CHANGE-ME-please");
    }

    @Test
    void optionalSecretsAreCheckedOnlyWhenSet() {
        Map<String, Optional<String>> optional = new LinkedHashMap<>();
        optional.put("quarkus.datasource.password", Optional.empty());
        optional.put("kafka.sasl.jaas.config", Optional.of(""));
        assertThat(WellKnownSecrets.problems(Map.of(), optional)).isEmpty();

        optional.put("quarkus.datasource.password", Optional.of("postgres"));
        assertThat(WellKnownSecrets.problems(Map.of(), optional))
                .containsExactly("quarkus.datasource.password is a well-known default value");
    }

    @Test
    void aLongRandomSecretPasses() {
        assertThat(WellKnownSecrets.problems(Map.of("storage.secret-key", Optional.of("q8Vx2mR7kLpZ4wN9sT1c")),
                Map.of())).isEmpty();
        assertThat(WellKnownSecrets.reason("short")).contains("is shorter than 8 characters");
    }
}

package dev.finetune.support.secrets;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses to start a production build whose secrets are missing or well known ({@link WellKnownSecrets}),
 * naming each offending setting and never its value. Which settings are secrets is configuration
 * ({@code secrets.required}, {@code secrets.optional}; service-support's defaults name the S3 keys, the
 * database password and the Kafka SASL configuration), so a service adds its own. Development and tests run
 * other profiles and are not checked.
 */
@IfBuildProfile("prod")
public class ProductionSecretsCheck {

    private final Config config;
    private final List<String> required;
    private final List<String> optional;

    public ProductionSecretsCheck(Config config, @ConfigProperty(name = "secrets.required") List<String> required,
                                  @ConfigProperty(name = "secrets.optional") List<String> optional) {
        this.config = config;
        this.required = required;
        this.optional = optional;
    }

    // First of the start-up observers: nothing should reach S3, Kafka or the database with a guessable secret.
    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent started) {
        List<String> problems = WellKnownSecrets.problems(values(required), values(optional));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("refusing to start with these secrets (docs/operations.md#secrets): "
                    + String.join("; ", problems));
        }
    }

    private Map<String, Optional<String>> values(List<String> names) {
        Map<String, Optional<String>> values = new LinkedHashMap<>();
        names.forEach(name -> values.put(name, config.getOptionalValue(name, String.class)));
        return values;
    }
}

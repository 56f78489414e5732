package dev.finetune.registry.serving;

import dev.finetune.registry.domain.Registry;
import dev.finetune.registry.domain.RegistryProblems;

/** Which version of a model a predict request asks for: the one an alias points at now, or a version number. */
public record PredictTarget(String alias, Integer version) {

    public static PredictTarget production() {
        return alias(Registry.PRODUCTION);
    }

    public static PredictTarget alias(String alias) {
        return new PredictTarget(alias, null);
    }

    public static PredictTarget version(int version) {
        return new PredictTarget(null, version);
    }

    /**
     * From the {@code ?version=} and {@code ?alias=} query parameters, production when neither is given; read here
     * rather than converted by JAX-RS, whose answer to {@code ?version=abc} would be a bare 404.
     */
    public static PredictTarget parse(String version, String alias) {
        if (version != null && alias != null) {
            throw RegistryProblems.versionAndAlias();
        }
        if (alias != null) {
            return alias(alias);
        }
        if (version == null) {
            return production();
        }
        try {
            return version(Integer.parseInt(version));
        } catch (NumberFormatException e) {
            throw RegistryProblems.invalidParameter("version must be a whole number, was " + version);
        }
    }

    public boolean isProduction() {
        return Registry.PRODUCTION.equals(alias);
    }

    /** How a person names it: "the production version of reviews", "version 3 of reviews". */
    public String describe(String model) {
        return alias != null ? "the " + alias + " version of " + model : "version " + version + " of " + model;
    }
}

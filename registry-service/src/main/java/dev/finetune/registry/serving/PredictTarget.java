package dev.finetune.registry.serving;

import dev.finetune.registry.domain.Registry;

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

    public boolean isProduction() {
        return Registry.PRODUCTION.equals(alias);
    }

    /** How a person names it: "the production version of reviews", "version 3 of reviews". */
    public String describe(String model) {
        return alias != null ? "the " + alias + " version of " + model : "version " + version + " of " + model;
    }
}

package dev.finetune.registry.serving;

import dev.finetune.ml.classifier.Prediction;
import dev.finetune.registry.domain.ModelVersion;
import dev.finetune.registry.domain.PackageUnverified;
import dev.finetune.registry.domain.Registry;
import dev.finetune.registry.domain.RegistryProblems;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Answers predict requests for any version of a model, named by number or by alias. An alias is resolved from the
 * database on every request, so a move made by any instance is seen by the next request everywhere; the version
 * is then taken from {@link ServedModels}, loaded on demand.
 */
@ApplicationScoped
public class ModelServer {

    private final Registry registry;
    private final ServedModels served;

    public ModelServer(Registry registry, ServedModels served) {
        this.registry = registry;
        this.served = served;
    }

    /** The answer to one predict request, from one version. */
    public record Answer(String model, int version, List<Prediction> predictions) {
    }

    /**
     * 404 when the model has no such version or alias; 503 with Retry-After when the version does not load within
     * the load timeout; 500 when its package fails its checksum.
     */
    public Answer predict(String model, PredictTarget target, List<String> texts) {
        ModelVersion version = resolve(model, target);
        try {
            return served.use(VersionPackage.of(version),
                    loaded -> new Answer(model, version.version, loaded.predict(texts)));
        } catch (ModelUnavailable e) {
            throw RegistryProblems.modelLoading(target.describe(model) + " (v" + version.version + ")")
                    .retryAfter((int) ServedModels.FAILURE_HOLD.toSeconds());
        } catch (PackageUnverified e) {
            throw RegistryProblems.packageUnverified(e, 500);
        }
    }

    /** The version {@code target} names now; 404 problems when the model has no such version or alias. */
    public ModelVersion resolve(String model, PredictTarget target) {
        if (target.version() != null) {
            return registry.version(model, target.version())
                    .orElseThrow(() -> RegistryProblems.versionNotFound(model, target.version()));
        }
        return registry.aliased(model, target.alias()).orElseThrow(() -> target.isProduction()
                ? RegistryProblems.noProductionVersion(model) : RegistryProblems.aliasNotFound(model, target.alias()));
    }
}

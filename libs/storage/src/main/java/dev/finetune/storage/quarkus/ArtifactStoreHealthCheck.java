package dev.finetune.storage.quarkus;

import dev.finetune.storage.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: the artifact store answers and its bucket exists. */
@Readiness
@ApplicationScoped
public class ArtifactStoreHealthCheck implements HealthCheck {

    private final ArtifactStore store;

    public ArtifactStoreHealthCheck(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public HealthCheckResponse call() {
        boolean up = store.reachable() || tryCreateBucket();
        return HealthCheckResponse.named("artifact-store").status(up).withData("bucket", store.bucket()).build();
    }

    private boolean tryCreateBucket() {
        try {
            store.ensureBucket();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}

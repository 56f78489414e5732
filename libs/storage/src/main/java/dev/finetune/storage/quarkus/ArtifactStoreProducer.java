package dev.finetune.storage.quarkus;

import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StorageSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

/** Makes one {@link ArtifactStore} per service from its {@code storage.*} configuration. */
@ApplicationScoped
public class ArtifactStoreProducer {

    private static final Logger LOG = Logger.getLogger(ArtifactStoreProducer.class);

    @Produces
    @ApplicationScoped
    ArtifactStore artifactStore(StorageConfig config) {
        ArtifactStore store = new ArtifactStore(new StorageSettings(config.endpoint(), config.accessKey(),
                config.secretKey(), config.bucket(), config.region()));
        // Creating the bucket lazily would make the first write of every run pay for it; a store that is
        // down at start-up is reported by readiness instead of failing the boot.
        try {
            store.ensureBucket();
        } catch (RuntimeException e) {
            LOG.warnf("artifact store %s not ready at start-up: %s", config.endpoint(), e.getMessage());
        }
        return store;
    }
}

package dev.finetune.registry.serving;

import dev.finetune.ml.classifier.Prediction;
import dev.finetune.ml.classifier.TextClassifier;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.registry.config.RegistrySettings;
import dev.finetune.registry.domain.ModelVersion;
import dev.finetune.registry.domain.Registry;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Serves each model's production version. A background thread keeps what is loaded in line with the
 * {@code production} aliases: a new version is downloaded, verified and loaded next to the old one,
 * then swapped in with one reference write, so requests never wait for a load and none fails during
 * a swap; the old version is freed when its last in-flight request has finished.
 */
@ApplicationScoped
public class ModelServer {

    private static final Logger LOG = Logger.getLogger(ModelServer.class);

    private final Registry registry;
    private final ArtifactStore store;
    private final RegistrySettings settings;
    private final Map<String, ServedModel> served = new ConcurrentHashMap<>();
    private final Object wake = new Object();
    private volatile boolean running;

    public ModelServer(Registry registry, ArtifactStore store, RegistrySettings settings) {
        this.registry = registry;
        this.store = store;
        this.settings = settings;
    }

    /** The answer to one predict request, from one version. */
    public record Answer(String model, int version, List<Prediction> predictions) {
    }

    void onStart(@Observes StartupEvent startup) {
        running = true;
        Thread loader = new Thread(this::loop, "model-loader");
        loader.setDaemon(true);
        loader.start();
    }

    void onStop(@Observes ShutdownEvent shutdown) {
        running = false;
        refreshSoon();
        served.values().forEach(ServedModel::retire);
    }

    /** Empty when the model has no production version loaded (yet). */
    public Optional<Answer> predict(String model, List<String> texts) {
        while (true) {
            ServedModel current = served.get(model);
            if (current == null) {
                return Optional.empty();
            }
            if (current.acquire()) {
                try {
                    return Optional.of(new Answer(model, current.version(), current.predict(texts)));
                } finally {
                    current.release();
                }
            }
            // retired between the read and the acquire: the next read sees its successor
        }
    }

    /** Version being served, if any. */
    public Optional<Integer> servedVersion(String model) {
        return Optional.ofNullable(served.get(model)).map(ServedModel::version);
    }

    public void refreshSoon() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void loop() {
        while (running) {
            try {
                refresh();
            } catch (RuntimeException e) {
                LOG.warnf("model refresh failed: %s; retrying", e.getMessage());
            }
            synchronized (wake) {
                try {
                    wake.wait(settings.serving().refreshInterval().toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Loads every production version not served yet and swaps it in. */
    void refresh() {
        for (Map.Entry<String, Integer> production : registry.productionVersions().entrySet()) {
            String model = production.getKey();
            int version = production.getValue();
            ServedModel current = served.get(model);
            if (current != null && current.version() == version) {
                continue;
            }
            ModelVersion target = registry.version(model, version).orElseThrow();
            ServedModel loaded;
            try {
                loaded = new ServedModel(model, version, load(target));
            } catch (RuntimeException e) {
                // One unloadable package must not keep every other model from being served.
                LOG.errorf("cannot serve %s v%d: %s; retrying at the next refresh", model, version, e.getMessage());
                continue;
            }
            ServedModel previous = served.put(model, loaded);
            if (previous != null) {
                previous.retire();
            }
            LOG.infof("serving %s v%d (was %s)", model, version, previous == null ? "none" : "v" + previous.version());
        }
    }

    private TextClassifier load(ModelVersion version) {
        byte[] bytes = store.read(ObjectUri.parse(version.packageUri));
        String sha256;
        try {
            sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!sha256.equals(version.packageSha256)) {
            throw new IllegalStateException(version.modelName + " v" + version.version + ": package sha256 " + sha256
                    + " does not match the registered " + version.packageSha256);
        }
        try {
            return TextClassifier.load(ModelPackage.readFrom(new ByteArrayInputStream(bytes)));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + version.packageUri + ": " + e.getMessage(), e);
        }
    }
}

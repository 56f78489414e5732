package dev.finetune.registry.export;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.ml.packaging.OnnxExport;
import dev.finetune.registry.domain.Json;
import dev.finetune.registry.domain.ModelVersion;
import dev.finetune.registry.domain.RegistryProblems;
import dev.finetune.registry.serving.PackageLoader;
import dev.finetune.registry.serving.VersionPackage;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.MissingObjectException;
import dev.finetune.storage.ObjectUri;
import dev.finetune.storage.StorageException;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The ONNX export ({@link OnnxExport}) of each ModelVersion, stored beside its package. It is made on the first
 * download and kept, not at registration: registration is a Kafka consumer's transaction deciding promotion, and an
 * export costs seconds of CPU, a few hundred MB of heap and a package-sized object in the store, which most versions
 * (every rejected one, most promoted ones) never need. An export depends only on the stored package and the version's
 * registered facts, so building it twice (two instances' first downloads) stores the same bytes.
 */
@ApplicationScoped
public class VersionExports {

    private static final Logger LOG = Logger.getLogger(VersionExports.class);
    private static final TypeReference<Map<String, Double>> METRICS = new TypeReference<>() { };
    private static final String PACKAGE_SUFFIX = ".zip";
    /** A transient store fault: how long the client should wait before asking again. */
    private static final int RETRY_AFTER_SECONDS = 5;

    private final ArtifactStore store;
    private final PackageLoader packages;
    /** One build at a time per instance: each holds the package, the base graph and the export in the heap. */
    private final ReentrantLock building = new ReentrantLock();

    public VersionExports(ArtifactStore store, PackageLoader packages) {
        this.store = store;
        this.packages = packages;
    }

    /** A stored export: where it is and its size in bytes. */
    public record StoredExport(ObjectUri uri, long size) {
    }

    /**
     * The version's stored export, built and stored first when it has none yet.
     *
     * @throws dev.finetune.support.problem.ProblemException 503 with Retry-After when the store is away
     */
    public StoredExport of(ModelVersion version) {
        ObjectUri uri = uriOf(version);
        try {
            Optional<Long> size = store.size(uri);
            if (size.isPresent()) {
                return new StoredExport(uri, size.get());
            }
            building.lock();
            try {
                size = store.size(uri); // another request may have built it while this one waited
                if (size.isEmpty()) {
                    size = Optional.of(store.put(uri.key(), build(version), OnnxExport.CONTENT_TYPE).size());
                    LOG.infof("stored the ONNX export of %s v%d at %s", version.modelName, version.version, uri);
                }
                return new StoredExport(uri, size.get());
            } finally {
                building.unlock();
            }
        } catch (MissingObjectException e) {
            throw new IllegalStateException(version.modelName + " v" + version.version + ": its package "
                    + version.packageUri + " is missing from the store", e);
        } catch (StorageException e) {
            throw RegistryProblems.artifactStoreUnavailable(e.getMessage()).retryAfter(RETRY_AFTER_SECONDS);
        }
    }

    /** Streams a stored export into {@code out}. */
    public void copyTo(StoredExport export, OutputStream out) {
        store.copyTo(export.uri(), out);
    }

    /** Beside the package: {@code runs/r1/step-40.zip} has its exports under {@code runs/r1/step-40.onnx/}. */
    ObjectUri uriOf(ModelVersion version) {
        String packageKey = ObjectUri.parse(version.packageUri).key();
        String base = packageKey.endsWith(PACKAGE_SUFFIX)
                ? packageKey.substring(0, packageKey.length() - PACKAGE_SUFFIX.length()) : packageKey;
        return store.uri(base + ".onnx/" + fileName(version));
    }

    /** The name a download is saved under: the model's name (made file-safe) and the version. */
    public static String fileName(ModelVersion version) {
        return version.modelName.replaceAll("[^A-Za-z0-9._-]", "_") + "-v" + version.version + ".onnx.zip";
    }

    private byte[] build(ModelVersion version) {
        ModelPackage modelPackage = packages.verified(VersionPackage.of(version));
        try {
            Map<String, Double> testMetrics = version.metrics == null ? Map.of() : Json.read(version.metrics, METRICS);
            OnnxExport export = OnnxExport.of(modelPackage, version.modelName, version.version, testMetrics);
            ByteArrayOutputStream zip = new ByteArrayOutputStream(
                    (int) Math.min(Integer.MAX_VALUE - 8, export.sizeBytes() + 4096));
            export.writeTo(zip);
            return zip.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot export " + version.modelName + " v" + version.version + ": "
                    + e.getMessage(), e);
        }
    }
}

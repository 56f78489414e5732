package dev.finetune.registry.serving;

import dev.finetune.ml.classifier.Classifier;
import dev.finetune.registry.config.RegistrySettings;
import dev.finetune.registry.domain.ModelVersion;
import dev.finetune.registry.domain.PackageUnverified;
import dev.finetune.registry.domain.VersionPreloader;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The versions this instance has loaded, any model, any version, at most {@code registry.serving.max-loaded-versions}
 * of them: loading one more unloads the least recently used, which is loaded again when next asked for. A version
 * loads once however many ask for it at the same time (they wait for the same load, each at most
 * {@code registry.serving.load-timeout}); the load goes on in the background when a caller stops waiting, so the
 * next one finds it. A version unloaded while requests use it is freed when the last of them has finished.
 * A failed load is remembered for {@link #FAILURE_HOLD}, so a broken version does not have every request download
 * it again; after that the next request tries again (the object may have arrived, the store come back).
 */
@Startup // checks its settings at start
@ApplicationScoped
public class ServedModels implements VersionPreloader {

    static final Duration FAILURE_HOLD = Duration.ofSeconds(2);
    /**
     * How long a move waits for its target to load: longer than a predict request may (a person or a record, not a
     * client's connection, waits), and under the 60 s transaction timeout that holds the move.
     */
    static final Duration PRELOAD_WAIT = Duration.ofSeconds(50);
    static final int MAX_LOADED_BOUND = 1000;
    static final Duration LOAD_TIMEOUT_BOUND = Duration.ofMinutes(5);
    private static final Logger LOG = Logger.getLogger(ServedModels.class);

    private final Function<VersionPackage, Classifier> loader;
    private final int maxLoaded;
    private final Duration loadTimeout;
    private final ExecutorService loads;
    /** In access order, least recently used first; guarded by {@code this}. */
    private final LinkedHashMap<VersionPackage, Slot> slots = new LinkedHashMap<>(16, 0.75f, true);

    @Inject
    public ServedModels(PackageLoader loader, RegistrySettings settings) {
        this(loader::load, settings.serving().maxLoadedVersions(), settings.serving().loadTimeout());
    }

    ServedModels(Function<VersionPackage, Classifier> loader, int maxLoaded, Duration loadTimeout) {
        if (maxLoaded < 1 || maxLoaded > MAX_LOADED_BOUND) {
            throw new IllegalArgumentException("registry.serving.max-loaded-versions must be within 1.."
                    + MAX_LOADED_BOUND + ", was " + maxLoaded);
        }
        if (loadTimeout.isNegative() || loadTimeout.isZero() || loadTimeout.compareTo(LOAD_TIMEOUT_BOUND) > 0) {
            throw new IllegalArgumentException("registry.serving.load-timeout must be within 0s (excluded).."
                    + LOAD_TIMEOUT_BOUND.toMinutes() + "m, was " + loadTimeout);
        }
        this.loader = loader;
        this.maxLoaded = maxLoaded;
        this.loadTimeout = loadTimeout;
        AtomicInteger threads = new AtomicInteger();
        // Two at a time: a load is mostly download and native allocation; more would only compete for them.
        this.loads = Executors.newFixedThreadPool(2, task -> {
            Thread thread = new Thread(task, "model-loader-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** One version's load: pending, loaded, or failed (and when). */
    private static final class Slot {
        final CompletableFuture<ServedModel> model = new CompletableFuture<>();
        volatile long failedAtNanos;
        volatile boolean failed;
    }

    /**
     * Runs {@code work} on the loaded version, loading it first if needed. Throws {@link PackageUnverified} when its
     * checksum fails and {@link ModelUnavailable} when it is not loaded within the load timeout.
     */
    public <T> T use(VersionPackage version, Function<ServedModel, T> work) {
        return use(version, loadTimeout, work);
    }

    /**
     * As {@link #use(VersionPackage, Function)}, waiting up to {@code wait} for the load: what a batch prediction
     * calls, which holds the version (loaded, never unloaded under it) for its whole input.
     */
    public <T> T use(VersionPackage version, Duration wait, Function<ServedModel, T> work) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            ServedModel model = await(version, slotFor(version), deadline, wait);
            if (model.acquire()) {
                try {
                    return work.apply(model);
                } finally {
                    model.release();
                }
            }
            // unloaded between the lookup and the acquire: the next lookup loads it again
        }
    }

    /** Loads the version and waits for it (up to {@link #PRELOAD_WAIT}); what the registry calls before a move. */
    @Override
    public void preload(ModelVersion version) {
        use(VersionPackage.of(version), PRELOAD_WAIT.compareTo(loadTimeout) > 0 ? PRELOAD_WAIT : loadTimeout,
                model -> null);
    }

    /** Starts loading the version if it is not loaded or loading, without waiting (another instance moved an alias). */
    public void preloadInBackground(VersionPackage version) {
        slotFor(version);
    }

    /** The versions loaded now, least recently used first. */
    public synchronized List<VersionPackage> loaded() {
        List<VersionPackage> loaded = new ArrayList<>();
        slots.forEach((version, slot) -> {
            if (slot.model.isDone() && !slot.failed) {
                loaded.add(version);
            }
        });
        return loaded;
    }

    private ServedModel await(VersionPackage version, Slot slot, long deadline, Duration wait) {
        try {
            return slot.model.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ModelUnavailable(version, "still loading after " + wait.toMillis() + " ms", null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PackageUnverified unverified) {
                throw unverified;
            }
            throw new ModelUnavailable(version, "its package cannot be loaded: " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelUnavailable(version, "interrupted while waiting for it", e);
        }
    }

    /** The version's slot, touched as used; a new load when there is none, or when the last one failed a while ago. */
    private synchronized Slot slotFor(VersionPackage version) {
        Slot slot = slots.get(version);
        if (slot != null && !(slot.failed && System.nanoTime() - slot.failedAtNanos > FAILURE_HOLD.toNanos())) {
            return slot;
        }
        Slot fresh = new Slot();
        slots.put(version, fresh);
        loads.execute(() -> load(version, fresh));
        return fresh;
    }

    private void load(VersionPackage version, Slot slot) {
        long started = System.nanoTime();
        ServedModel model;
        try {
            model = new ServedModel(version, loader.apply(version));
        } catch (RuntimeException | Error e) {
            slot.failedAtNanos = System.nanoTime();
            slot.failed = true;
            LOG.errorf("cannot serve %s: %s", version, e.getMessage());
            slot.model.completeExceptionally(e);
            return;
        }
        List<ServedModel> unloaded = admit(version, slot, model);
        slot.model.complete(model);
        LOG.infof("loaded %s in %d ms%s", version, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                unloaded.isEmpty() ? "" : "; unloaded " + unloaded.stream().map(ServedModel::version).toList()
                        + " (least recently used beyond registry.serving.max-loaded-versions=" + maxLoaded + ")");
    }

    /**
     * Makes the freshly loaded version the most recently used and unloads the least recently used loaded versions
     * beyond the bound. Versions still loading do not count: they hold no model yet.
     */
    private synchronized List<ServedModel> admit(VersionPackage version, Slot slot, ServedModel model) {
        List<ServedModel> unloaded = new ArrayList<>();
        if (slots.get(version) != slot) { // dropped meanwhile (shut down): never served
            model.retire();
            return unloaded;
        }
        int loaded = 1;
        for (Slot other : slots.values()) {
            if (other != slot && other.model.isDone() && !other.failed) {
                loaded++;
            }
        }
        for (Iterator<Map.Entry<VersionPackage, Slot>> it = slots.entrySet().iterator(); it.hasNext() && loaded > maxLoaded; ) {
            Map.Entry<VersionPackage, Slot> entry = it.next();
            Slot other = entry.getValue();
            if (other == slot || !other.model.isDone()) {
                continue;
            }
            it.remove();
            if (!other.failed) {
                ServedModel old = other.model.join();
                old.retire();
                unloaded.add(old);
                loaded--;
            }
        }
        return unloaded;
    }

    @PreDestroy
    synchronized void unloadAll() {
        loads.shutdownNow();
        slots.values().forEach(slot -> {
            if (slot.model.isDone() && !slot.failed) {
                slot.model.join().retire();
            }
        });
        slots.clear();
    }
}

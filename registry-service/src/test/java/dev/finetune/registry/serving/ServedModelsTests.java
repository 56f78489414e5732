package dev.finetune.registry.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.finetune.ml.classifier.Classifier;
import dev.finetune.registry.domain.PackageUnverified;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cache of loaded versions with stand-in classifiers: one load per version however many ask, the least
 * recently used unloaded beyond the bound and loaded again on demand, never freed under a request, a bounded wait,
 * a package that fails its checksum never served, and the bounds of its settings.
 */
class ServedModelsTests {

    private final Map<VersionPackage, AtomicInteger> loads = new ConcurrentHashMap<>();
    /** Every instance freed, in order. */
    private final Queue<VersionPackage> closed = new ConcurrentLinkedQueue<>();
    private final ExecutorService clients = Executors.newFixedThreadPool(8);
    private ServedModels served;

    @AfterEach
    void tearDown() {
        clients.shutdownNow();
        if (served != null) {
            served.unloadAll();
        }
    }

    @Test
    void concurrentRequestsForAVersionShareOneLoad() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        served = new ServedModels(version -> {
            awaitRelease(release);
            return predictor(version);
        }, 4, Duration.ofSeconds(30));
        CountDownLatch asking = new CountDownLatch(8);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(clients.submit(() -> {
                asking.countDown();
                return served.use(v(1), model -> model.version().version());
            }));
        }
        assertThat(asking.await(10, TimeUnit.SECONDS)).isTrue();
        release.countDown();
        for (Future<Integer> answer : answers) {
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(loads.get(v(1))).hasValue(1);
    }

    @Test
    void theLeastRecentlyUsedVersionIsUnloadedBeyondTheBoundAndLoadedAgainOnDemand() {
        served = new ServedModels(this::predictor, 2, Duration.ofSeconds(10));
        predict(v(1));
        predict(v(2));
        predict(v(1)); // v2 is now the least recently used
        predict(v(3));
        assertThat(served.loaded()).containsExactly(v(1), v(3));
        assertThat(closed).containsExactly(v(2));

        assertThat(predict(v(2))).isEqualTo("v2");
        assertThat(loads.get(v(2))).hasValue(2);
        assertThat(served.loaded()).containsExactly(v(3), v(2));
    }

    @Test
    void aVersionUnloadedWhileARequestUsesItIsFreedOnlyWhenTheRequestHasFinished() throws Exception {
        served = new ServedModels(this::predictor, 1, Duration.ofSeconds(10));
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Future<String> slow = clients.submit(() -> served.use(v(1), model -> {
            inside.countDown();
            awaitRelease(finish);
            return model.predict(List.of("x")).get(0).label();
        }));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        predict(v(2)); // the bound is one: v1 is unloaded, yet in use
        assertThat(served.loaded()).containsExactly(v(2));
        assertThat(closed).isEmpty();

        finish.countDown();
        assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("v1");
        assertThat(closed).containsExactly(v(1));
    }

    @Test
    void aRequestWaitsAtMostTheLoadTimeoutAndTheLoadGoesOnForTheNextOne() {
        CountDownLatch release = new CountDownLatch(1);
        served = new ServedModels(version -> {
            awaitRelease(release);
            return predictor(version);
        }, 4, Duration.ofMillis(200));
        long started = System.nanoTime();
        assertThatThrownBy(() -> predict(v(1))).isInstanceOf(ModelUnavailable.class)
                .hasMessage("reviews v1 is not loaded: still loading after 200 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));

        release.countDown();
        await().untilAsserted(() -> assertThat(served.loaded()).containsExactly(v(1)));
        assertThat(predict(v(1))).isEqualTo("v1");
        assertThat(loads.get(v(1))).hasValue(1);
    }

    @Test
    void aPackageThatFailsItsChecksumIsNeverServedAndItsFailureIsHeldBeforeTryingAgain() {
        served = new ServedModels(version -> {
            loads.computeIfAbsent(version, k -> new AtomicInteger()).incrementAndGet();
            throw new PackageUnverified(version.model(), version.version(), "ab", "cd");
        }, 4, Duration.ofSeconds(10));
        assertThatThrownBy(() -> predict(v(1))).isInstanceOf(PackageUnverified.class)
                .hasMessage("the package of reviews v1 has sha256 ab, not the registered cd; it is never served");
        assertThatThrownBy(() -> predict(v(1))).isInstanceOf(PackageUnverified.class);
        assertThat(loads.get(v(1))).as("one download within the hold").hasValue(1);
        assertThat(served.loaded()).isEmpty();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThatThrownBy(() -> predict(v(1))).isInstanceOf(PackageUnverified.class);
            assertThat(loads.get(v(1))).as("tried again after the hold").hasValue(2);
        });
    }

    @Test
    void itsSettingsAreCheckedAtStart() {
        assertThatThrownBy(() -> new ServedModels(this::predictor, 0, Duration.ofSeconds(10)))
                .hasMessage("registry.serving.max-loaded-versions must be within 1..1000, was 0");
        assertThatThrownBy(() -> new ServedModels(this::predictor, 1001, Duration.ofSeconds(10)))
                .hasMessage("registry.serving.max-loaded-versions must be within 1..1000, was 1001");
        assertThatThrownBy(() -> new ServedModels(this::predictor, 8, Duration.ZERO))
                .hasMessage("registry.serving.load-timeout must be within 0s (excluded)..5m, was PT0S");
        assertThatThrownBy(() -> new ServedModels(this::predictor, 8, Duration.ofMinutes(6)))
                .hasMessage("registry.serving.load-timeout must be within 0s (excluded)..5m, was PT6M");
    }

    private String predict(VersionPackage version) {
        return served.use(version, model -> model.predict(List.of("text")).get(0).label());
    }

    private static VersionPackage v(int version) {
        return new VersionPackage("reviews", version, "s3://finetune/models/v" + version + "/model.zip",
                "sha-" + version);
    }

    /** Answers with its version's name as the only label and records when it is freed. */
    private Classifier predictor(VersionPackage version) {
        loads.computeIfAbsent(version, k -> new AtomicInteger()).incrementAndGet();
        AtomicBoolean freed = new AtomicBoolean();
        return new Classifier() {
            @Override
            public List<String> labels() {
                return List.of("v" + version.version());
            }

            @Override
            public float[][] probabilities(List<String> texts) {
                return texts.stream().map(t -> new float[] {1f}).toArray(float[][]::new);
            }

            @Override
            public void close() {
                assertThat(freed.getAndSet(true)).as("%s closed twice", version).isFalse();
                closed.add(version);
            }
        };
    }

    private static void awaitRelease(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package dev.finetune.dataset.bench;

import dev.finetune.dataset.ingest.JsonlRowSource;
import dev.finetune.dataset.preparation.PreparedVersion;
import dev.finetune.dataset.preparation.VersionBuilder;
import dev.finetune.dataset.split.Split;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StorageSettings;
import dev.finetune.testing.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark, not a test: rows per second for validate + de-duplicate + split + store (gzipped splits and
 * quarantine uploaded to S3Proxy) of N short rows generated on the fly (never held in memory), and peak heap.
 * Usage: {@code PrepareBenchmark [rows] [--no-s3]}; see docs/benchmarks.md for the command.
 */
public final class PrepareBenchmark {

    private PrepareBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0].replace("_", "")) : 1_000_000;
        boolean s3 = List.of(args).stream().noneMatch("--no-s3"::equals);
        Path work = Files.createTempDirectory("prepare-bench-");
        HeapWatch heap = new HeapWatch();
        heap.start();

        S3ProxyServer server = null;
        ArtifactStore store = null;
        if (s3) {
            server = S3ProxyServer.start(0, work.resolve("s3"), S3ProxyServer.DEFAULT_ACCESS_KEY,
                    S3ProxyServer.DEFAULT_SECRET_KEY);
            store = new ArtifactStore(new StorageSettings(server.endpoint(), server.accessKey(), server.secretKey(),
                    "bench", "us-east-1"));
            store.ensureBucket();
        }
        VersionBuilder builder = new VersionBuilder(new VersionBuilder.Settings(10_000, 100, 1000, 5, 0.2, 50, 64,
                work.resolve("build"), 0.8, 0.1, 0.1));

        long start = System.nanoTime();
        long built;
        long stored = 0;
        try (PreparedVersion v = builder.build(null, VersionBuilder.Mode.APPEND,
                new JsonlRowSource(new SyntheticRows(rows), 1 << 20))) {
            built = System.nanoTime();
            if (store != null) {
                for (Split split : Split.values()) {
                    stored += upload(store, "bench/v1/" + split.code() + ".jsonl.gz", v.splits().get(split).path());
                }
                stored += upload(store, "bench/v1/quarantine.jsonl.gz", v.quarantine().path());
            }
            long end = System.nanoTime();
            heap.stopWatching();
            double seconds = (end - start) / 1e9;
            System.out.printf(Locale.ROOT, "rows=%d examples=%d rejected=%d perSplit=%s%n", rows,
                    v.statistics().examples(), v.report().rejected(), v.statistics().perSplit());
            System.out.printf(Locale.ROOT, "build (validate+dedupe+split+gzip) %.2f s, store to S3 %.2f s (%d MB)%n",
                    (built - start) / 1e9, (end - built) / 1e9, stored / (1024 * 1024));
            System.out.printf(Locale.ROOT, "total %.2f s = %.0f rows/s%n", seconds, rows / seconds);
            System.out.printf(Locale.ROOT, "heap: max -Xmx %d MB, peak used %d MB, peak live after GC %d MB%n",
                    Runtime.getRuntime().maxMemory() / (1024 * 1024), heap.peakUsed / (1024 * 1024),
                    heap.peakAfterGc / (1024 * 1024));
        } finally {
            if (server != null) {
                server.close();
            }
            deleteRecursively(work);
        }
    }

    private static long upload(ArtifactStore store, String key, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return store.put(key, in, "application/gzip").size();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Short JSONL rows made on demand: 3 labels, 1 % repeats, 0.1 % rows without a label. */
    static final class SyntheticRows extends InputStream {
        private static final String[] LABELS = {"positive", "negative", "neutral"};
        private static final String[] WORDS = {"great", "battery", "screen", "awful", "support", "fast", "slow",
                "price", "delivery", "quality", "broken", "works", "love", "hate", "okay", "again"};
        private final long rows;
        private long next;
        private byte[] current = new byte[0];
        private int pos;

        SyntheticRows(long rows) {
            this.rows = rows;
        }

        @Override
        public int read() {
            if (!fill()) {
                return -1;
            }
            return current[pos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        private boolean fill() {
            if (pos < current.length) {
                return true;
            }
            if (next >= rows) {
                return false;
            }
            long i = next++;
            long id = i % 100 == 99 ? i - 50 : i; // every 100th row repeats an earlier one
            String w1 = WORDS[(int) (id % WORDS.length)];
            String w2 = WORDS[(int) ((id / 16) % WORDS.length)];
            String line = i % 1000 == 500
                    ? "{\"text\":\"row " + i + " without a label\"}\n"
                    : "{\"text\":\"" + w1 + " " + w2 + " review " + id + "\",\"label\":\""
                    + LABELS[(int) (id % 3)] + "\"}\n";
            current = line.getBytes(StandardCharsets.UTF_8);
            pos = 0;
            return true;
        }
    }

    /** Samples heap use every few milliseconds: peak in use, and peak still in use right after a GC. */
    static final class HeapWatch extends Thread {
        private volatile boolean running = true;
        long peakUsed;
        long peakAfterGc;

        HeapWatch() {
            super("heap-watch");
            setDaemon(true);
        }

        @Override
        public void run() {
            List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).toList();
            while (running) {
                peakUsed = Math.max(peakUsed, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
                long afterGc = 0;
                for (MemoryPoolMXBean pool : pools) {
                    MemoryUsage u = pool.getCollectionUsage();
                    afterGc += u == null ? 0 : u.getUsed();
                }
                peakAfterGc = Math.max(peakAfterGc, afterGc);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stopWatching() {
            running = false;
        }
    }
}

package dev.finetune.dataset.preparation;

import dev.finetune.dataset.domain.PendingExamples;
import dev.finetune.dataset.ingest.RawRow;
import dev.finetune.dataset.ingest.RowSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pending {@code labels.ingest} records of a data set as rows, read in pages up to a fixed id so records
 * arriving during the build wait for the next version. Remembers the offsets it read, for the lineage.
 */
final class PendingRowSource implements RowSource {

    private static final int PAGE = 2000;

    private final PendingExamples pending;
    private final String dataset;
    private final long maxId;
    private final Deque<PendingExamples.Page.Row> page = new ArrayDeque<>();
    private final Map<String, long[]> ranges = new TreeMap<>(); // "topic/partition" -> from, to, count
    private long lastId;
    private long rows;
    private boolean exhausted;

    PendingRowSource(PendingExamples pending, String dataset, long maxId) {
        this.pending = pending;
        this.dataset = dataset;
        this.maxId = maxId;
    }

    @Override
    public RawRow next() {
        if (page.isEmpty() && !exhausted) {
            List<PendingExamples.Page.Row> next = pending.page(dataset, lastId, maxId, PAGE);
            exhausted = next.size() < PAGE;
            page.addAll(next);
        }
        PendingExamples.Page.Row row = page.poll();
        if (row == null) {
            return null;
        }
        lastId = row.id();
        rows++;
        long[] range = ranges.computeIfAbsent(row.topic() + "/" + row.row().partition(),
                k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0});
        range[0] = Math.min(range[0], row.row().position());
        range[1] = Math.max(range[1], row.row().position());
        range[2]++;
        return row.row();
    }

    /** The Kafka offsets read, per topic and partition. */
    List<Manifest.KafkaRange> lineage() {
        List<Manifest.KafkaRange> out = new ArrayList<>();
        ranges.forEach((key, r) -> {
            int slash = key.lastIndexOf('/');
            out.add(new Manifest.KafkaRange(key.substring(0, slash), Integer.parseInt(key.substring(slash + 1)),
                    r[0], r[1], r[2]));
        });
        out.sort(Comparator.comparing(Manifest.KafkaRange::topic).thenComparingInt(Manifest.KafkaRange::partition));
        return out;
    }

    @Override
    public long rowsRead() {
        return rows;
    }

    @Override
    public void close() {
        page.clear();
    }
}

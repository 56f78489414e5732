package dev.finetune.dataset.preparation;

import dev.finetune.dataset.ingest.RawRow;
import dev.finetune.dataset.ingest.RowSource;
import dev.finetune.dataset.split.Split;
import dev.finetune.dataset.split.Splitter;
import dev.finetune.dataset.validation.FatalProblem;
import dev.finetune.dataset.validation.Normalizer;
import dev.finetune.dataset.validation.RejectReason;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns rows (and the previous version, when appending) into a validated, de-duplicated, split version on
 * local disk. Plain Java, no framework: the service, the tests and the benchmark call this same code.
 *
 * <p>Memory stays flat in the input size: rows are validated as they stream in and spilled to
 * {@code partitions} files by the fingerprint of their normalised text; duplicates and conflicting labels can
 * only meet inside one partition, so each partition is then resolved on its own with a small primitive table
 * and written out to the gzipped split files. No text is kept in memory beyond the row at hand.
 */
public final class VersionBuilder {

    /** Whether a version adds to the previous one or stands on its own. */
    public enum Mode { APPEND, REPLACE }

    /** Limits and rules; {@code tempDir} is where the work directory of a build is made. */
    public record Settings(int maxTextChars, int maxLabelChars, int maxLabels, int minExamplesPerLabel,
                           double shiftWarning, int reportSamples, int partitions, Path tempDir,
                           double train, double validation, double test) {
        public Settings {
            if (Integer.bitCount(partitions) != 1) {
                throw new IllegalArgumentException("dataset.build.partitions must be a power of two, got " + partitions);
            }
        }
    }

    private static final byte KIND_NEW = 0;
    private static final byte KIND_PREVIOUS = 1;
    private static final byte KIND_PREVIOUS_REFERENCE = 2;

    private final Settings settings;
    private final Splitter splitter;
    private final MessageDigest sha256 = ContentHash.sha256();

    public VersionBuilder(Settings settings) {
        this.settings = settings;
        this.splitter = new Splitter(settings.train(), settings.validation(), settings.test());
    }

    /**
     * Builds a version from {@code rows} (closed here) and, unless {@code mode} is REPLACE, the examples of
     * {@code previous}. Throws {@link FatalProblem} when the result may not become a version; nothing is left
     * on disk then.
     */
    public PreparedVersion build(PreviousVersion previous, Mode mode, RowSource rows) {
        Path work;
        try {
            Path base = settings.tempDir();
            Files.createDirectories(base);
            work = Files.createTempDirectory(base, "dataset-build-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a build directory under " + settings.tempDir(), e);
        }
        try (rows) {
            return new Build(work, previous, mode).run(rows);
        } catch (RuntimeException | Error e) {
            PreparedVersion.deleteRecursively(work);
            throw e;
        }
    }

    /** The state of one build. */
    private final class Build {
        private final Path work;
        private final PreviousVersion previous;
        private final Mode mode;
        private final int partitions = settings.partitions();
        private final int shift = 64 - Integer.numberOfTrailingZeros(settings.partitions());
        private final DataOutputStream[] spill;
        private final long[] spillCount;
        private final Map<String, Integer> labelIndex = new HashMap<>();
        private final List<String> labelNames = new ArrayList<>();
        private final Set<String> previousLabels;
        private final SplitFiles.Writer quarantine;
        private final Map<String, Long> rejectedByReason = new TreeMap<>();
        private final PriorityQueue<ValidationReport.Rejection> samples = new PriorityQueue<>(
                Comparator.comparingLong(Build::order).reversed());
        private ValidationReport.Rejection firstRejection;
        private long rowsRead;
        private long rejected;
        private long duplicates;

        Build(Path work, PreviousVersion previous, Mode mode) {
            this.work = work;
            this.previous = previous;
            this.mode = mode;
            this.spill = new DataOutputStream[partitions];
            this.spillCount = new long[partitions];
            this.previousLabels = previous == null ? Set.of() : new HashSet<>(previous.labels());
            try {
                for (int p = 0; p < partitions; p++) {
                    spill[p] = new DataOutputStream(new BufferedOutputStream(
                            Files.newOutputStream(work.resolve("spill-" + p)), 16 * 1024));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create spill files in " + work, e);
            }
            this.quarantine = new SplitFiles.Writer(work.resolve("quarantine.jsonl.gz"));
        }

        PreparedVersion run(RowSource rows) {
            try {
                if (previous != null) {
                    previous.labels().forEach(this::label);
                    byte kind = mode == Mode.APPEND ? KIND_PREVIOUS : KIND_PREVIOUS_REFERENCE;
                    previous.forEachExample((split, text, label, sourceId) ->
                            spill(kind, (byte) split.ordinal(), text, label(label), -1, -1, sourceId));
                }
                RawRow row;
                while ((row = rows.next()) != null) {
                    rowsRead++;
                    accept(row);
                }
                for (DataOutputStream out : spill) {
                    out.close();
                }
                return resolve();
            } catch (IOException e) {
                throw new UncheckedIOException("build spill I/O failed in " + work, e);
            } finally {
                for (DataOutputStream out : spill) {
                    closeQuietlyOnFailure(out);
                }
                quarantine.close();
            }
        }

        /** Spill streams are closed on success already; on failure the files are deleted with the directory. */
        private static void closeQuietlyOnFailure(DataOutputStream out) {
            try {
                out.close();
            } catch (IOException e) {
                // The build failed already (or the stream was closed); its directory is deleted next.
            }
        }

        private void accept(RawRow row) throws IOException {
            if (row.rejected() != null) {
                reject(row, row.rejected(), row.detail());
                return;
            }
            String text = row.text();
            if (text == null) {
                reject(row, RejectReason.MISSING_TEXT, "no text");
                return;
            }
            if (text.isBlank()) {
                reject(row, RejectReason.EMPTY_TEXT, "the text is empty");
                return;
            }
            if (text.length() > settings.maxTextChars()) {
                reject(row, RejectReason.TEXT_TOO_LONG, "the text has " + text.length() + " characters, the limit is "
                        + settings.maxTextChars());
                return;
            }
            String label = row.label() == null ? null : row.label().strip();
            if (label == null || label.isEmpty()) {
                reject(row, RejectReason.MISSING_LABEL, "no label");
                return;
            }
            if (label.length() > settings.maxLabelChars()) {
                reject(row, RejectReason.LABEL_TOO_LONG, "the label has " + label.length()
                        + " characters, the limit is " + settings.maxLabelChars());
                return;
            }
            int index = labelIndex.getOrDefault(label, -1);
            if (index < 0) {
                if (labelNames.size() >= settings.maxLabels()) {
                    throw new FatalProblem(400, "too-many-labels", "Too many distinct labels", row.position(),
                            "too-many-labels", "more than " + settings.maxLabels()
                            + " distinct labels (dataset.validation.max-labels): is the label column right?",
                            Map.of("maxLabels", settings.maxLabels()));
                }
                index = label(label);
            }
            spill(KIND_NEW, (byte) -1, text, index, row.partition(), row.position(), row.sourceId());
        }

        private int label(String label) {
            return labelIndex.computeIfAbsent(label, l -> {
                labelNames.add(l);
                return labelNames.size() - 1;
            });
        }

        private void spill(byte kind, byte split, String text, int label, int partition, long position,
                           String sourceId) {
            long fp = splitter.fingerprint(Normalizer.normalise(text));
            int p = partitions == 1 ? 0 : (int) (fp >>> shift);
            DataOutputStream out = spill[p];
            try {
                out.writeByte(kind);
                out.writeByte(split);
                out.writeLong(fp);
                if (kind != KIND_PREVIOUS_REFERENCE) {
                    out.write(exampleHash(text, labelNames.get(label)));
                }
                out.writeInt(label);
                out.writeInt(partition);
                out.writeLong(position);
                writeString(out, text);
                writeString(out, sourceId);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot spill to " + work, e);
            }
            spillCount[p]++;
        }

        private byte[] exampleHash(String text, String label) {
            sha256.update(text.getBytes(StandardCharsets.UTF_8));
            sha256.update((byte) 0);
            return sha256.digest(label.getBytes(StandardCharsets.UTF_8));
        }

        /** Second pass: per partition, settle duplicates and conflicts, write survivors to their split. */
        private PreparedVersion resolve() throws IOException {
            Map<Split, SplitFiles.Writer> writers = new EnumMap<>(Split.class);
            for (Split split : Split.values()) {
                writers.put(split, new SplitFiles.Writer(work.resolve(split.code() + ".jsonl.gz")));
            }
            long[][] counts = new long[Split.values().length][labelNames.size()];
            ContentHash content = new ContentHash();
            long accepted = 0;
            long carried = 0;
            long minLength = Long.MAX_VALUE;
            long maxLength = 0;
            long totalLength = 0;
            Record r = new Record();
            try {
                for (int p = 0; p < partitions; p++) {
                    Path file = work.resolve("spill-" + p);
                    FingerprintTable table = new FingerprintTable((int) Math.min(spillCount[p], 1 << 28));
                    try (DataInputStream in = open(file)) {
                        while (r.read(in)) {
                            index(table, r);
                        }
                    }
                    try (DataInputStream in = open(file)) {
                        while (r.read(in)) {
                            Split target = settle(table, r);
                            if (target == null) {
                                continue;
                            }
                            writers.get(target).example(r.text, labelNames.get(r.label), r.sourceId);
                            counts[target.ordinal()][r.label]++;
                            content.add(r.hash);
                            if (r.kind == KIND_PREVIOUS) {
                                carried++;
                            } else {
                                accepted++;
                            }
                            int length = r.text.length();
                            minLength = Math.min(minLength, length);
                            maxLength = Math.max(maxLength, length);
                            totalLength += length;
                        }
                    }
                    Files.delete(file);
                }
            } finally {
                writers.values().forEach(SplitFiles.Writer::close);
                quarantine.close();
            }
            return finish(writers, counts, content, accepted, carried,
                    new Statistics.TextLength(minLength == Long.MAX_VALUE ? 0 : (int) minLength,
                            content.count() == 0 ? 0 : (double) totalLength / content.count(), (int) maxLength));
        }

        private void index(FingerprintTable t, Record r) {
            int s = t.slot(r.fp);
            if (r.kind != KIND_NEW) {
                t.flags[s] |= r.kind == KIND_PREVIOUS ? FingerprintTable.PREVIOUS
                        : FingerprintTable.PREVIOUS_ONLY_REFERENCE;
                t.previousSplit[s] = r.split;
                t.previousLabel[s] = r.label;
                return;
            }
            if (t.newLabel[s] < 0) {
                t.newLabel[s] = r.label;
                t.newRaw[s] = r.rawHash();
                t.firstPosition[s] = r.position;
                t.firstPartition[s] = r.partition;
            } else if (t.newLabel[s] != r.label) {
                t.flags[s] |= FingerprintTable.CONFLICT;
            }
        }

        /** Where the record goes, or null when it is quarantined (or only a reference). */
        private Split settle(FingerprintTable t, Record r) throws IOException {
            int s = t.slot(r.fp);
            if (r.kind == KIND_PREVIOUS) {
                return Split.values()[r.split];
            }
            if (r.kind == KIND_PREVIOUS_REFERENCE) {
                return null;
            }
            byte f = t.flags[s];
            if ((f & FingerprintTable.PREVIOUS) != 0) {
                if (t.previousLabel[s] == r.label) {
                    duplicates++;
                    reject(r, RejectReason.DUPLICATE, "already in version " + previous.version());
                } else {
                    reject(r, RejectReason.CONFLICTING_LABEL, "version " + previous.version() + " labels this text '"
                            + labelNames.get(t.previousLabel[s]) + "'");
                }
                return null;
            }
            if ((f & FingerprintTable.CONFLICT) != 0) {
                reject(r, RejectReason.CONFLICTING_LABEL, "the same text has another label than '"
                        + labelNames.get(t.newLabel[s]) + "' at " + where(t.firstPartition[s], t.firstPosition[s]));
                return null;
            }
            if ((f & FingerprintTable.EMITTED) != 0) {
                duplicates++;
                boolean exact = t.newRaw[s] == r.rawHash();
                reject(r, exact ? RejectReason.DUPLICATE : RejectReason.DUPLICATE_AFTER_NORMALISATION,
                        "same text as " + where(t.firstPartition[s], t.firstPosition[s]));
                return null;
            }
            t.flags[s] |= FingerprintTable.EMITTED;
            return (f & FingerprintTable.PREVIOUS_ONLY_REFERENCE) != 0
                    ? Split.values()[t.previousSplit[s]] // replacing: a text keeps the split it had
                    : splitter.assign(r.fp);
        }

        private PreparedVersion finish(Map<Split, SplitFiles.Writer> writers, long[][] counts, ContentHash content,
                                       long accepted, long carried, Statistics.TextLength lengths) {
            long[] perLabel = new long[labelNames.size()];
            for (long[] split : counts) {
                for (int l = 0; l < split.length; l++) {
                    perLabel[l] += split[l];
                }
            }
            if (accepted + duplicates == 0) {
                throw noUsableRows();
            }
            List<String> present = new ArrayList<>();
            for (int l = 0; l < labelNames.size(); l++) {
                if (perLabel[l] > 0) {
                    present.add(labelNames.get(l));
                }
            }
            if (present.size() < 2) {
                throw new FatalProblem(400, "single-label", "A version needs at least two labels", null,
                        "single-label", present.isEmpty() ? "no labelled examples"
                        : "every example is labelled '" + present.get(0) + "': a classifier needs at least two labels",
                        Map.of("labels", present));
            }
            Map<String, Long> tooFew = new TreeMap<>();
            for (int l = 0; l < labelNames.size(); l++) {
                if (perLabel[l] > 0 && perLabel[l] < settings.minExamplesPerLabel()) {
                    tooFew.put(labelNames.get(l), perLabel[l]);
                }
            }
            if (!tooFew.isEmpty()) {
                throw new FatalProblem(400, "too-few-examples", "A label has too few examples", null,
                        "too-few-examples", "every label needs at least " + settings.minExamplesPerLabel()
                        + " examples (dataset.validation.min-examples-per-label); too few: " + tooFew,
                        Map.of("labels", tooFew, "minExamplesPerLabel", settings.minExamplesPerLabel()));
            }

            List<String> labels = labelMap(present);
            Map<String, Long> perLabelMap = new LinkedHashMap<>();
            Map<String, Long> perSplit = new LinkedHashMap<>();
            Map<String, Map<String, Long>> perSplitAndLabel = new LinkedHashMap<>();
            for (String label : labels) {
                perLabelMap.put(label, perLabel[labelIndex.get(label)]);
            }
            for (Split split : Split.values()) {
                perSplit.put(split.code(), writers.get(split).rows);
                Map<String, Long> byLabel = new LinkedHashMap<>();
                for (String label : labels) {
                    byLabel.put(label, counts[split.ordinal()][labelIndex.get(label)]);
                }
                perSplitAndLabel.put(split.code(), byLabel);
            }
            String contentSha = content.hex();
            boolean identical = previous != null && contentSha.equals(previous.contentSha256());

            List<String> warnings = new ArrayList<>();
            for (Split split : Split.values()) {
                if (writers.get(split).rows == 0) {
                    warnings.add("split '" + split.code() + "' is empty");
                }
            }
            List<String> added = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            Double tvd = null;
            boolean shifted = false;
            if (previous != null) {
                labels.stream().filter(l -> !previousLabels.contains(l)).forEach(added::add);
                previous.labels().stream().filter(l -> !perLabelMap.containsKey(l)).forEach(removed::add);
                tvd = totalVariationDistance(previous.labelCounts(), perLabelMap);
                shifted = tvd > settings.shiftWarning();
                if (!added.isEmpty() || !removed.isEmpty()) {
                    warnings.add("label set changed: added " + added + ", removed " + removed);
                }
                if (shifted) {
                    warnings.add(String.format("label distribution shifted: total variation distance %.3f > %.3f",
                            tvd, settings.shiftWarning()));
                }
            }
            List<ValidationReport.Rejection> sampleList = new ArrayList<>(samples);
            sampleList.sort(Comparator.comparingLong(Build::order));
            ValidationReport report = new ValidationReport(rowsRead, accepted, rejected, rejectedByReason, sampleList,
                    added, removed, tvd, shifted, warnings);
            Statistics statistics = new Statistics(content.count(), accepted, carried, perSplit, perLabelMap,
                    perSplitAndLabel, lengths);

            Map<Split, PreparedVersion.LocalFile> files = new EnumMap<>(Split.class);
            writers.forEach((split, w) -> files.put(split, new PreparedVersion.LocalFile(w.path, w.sha256(),
                    w.bytes(), w.rows)));
            PreparedVersion.LocalFile quarantined = new PreparedVersion.LocalFile(quarantine.path, quarantine.sha256(),
                    quarantine.bytes(), quarantine.rows);
            return new PreparedVersion(work, files, quarantined, labels, statistics, report, contentSha, identical);
        }

        /** The previous version's labels keep their place; new ones follow in alphabetical order. */
        private List<String> labelMap(List<String> present) {
            List<String> map = new ArrayList<>();
            if (previous != null) {
                previous.labels().stream().filter(present::contains).forEach(map::add);
            }
            new TreeSet<>(present).stream().filter(l -> !map.contains(l)).forEach(map::add);
            return map;
        }

        private FatalProblem noUsableRows() {
            if (rowsRead == 0) {
                return FatalProblem.of(400, "no-usable-rows", "The upload holds no rows", null,
                        "the input holds no rows");
            }
            ValidationReport.Rejection first = firstRejection;
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("rejectedByReason", rejectedByReason);
            return new FatalProblem(400, "no-usable-rows", "No usable rows", first.line() != null ? first.line()
                    : first.offset(), first.reason(), "none of the " + rowsRead + " rows is usable; the first, at "
                    + where(first) + ", was rejected: " + first.reason() + " (" + first.detail() + ")", extra);
        }

        private void reject(RawRow row, RejectReason reason, String detail) {
            reject(row.partition(), row.position(), row.text(), row.label(), reason, detail);
        }

        private void reject(Record r, RejectReason reason, String detail) {
            reject(r.partition, r.position, r.text, labelNames.get(r.label), reason, detail);
        }

        private void reject(int partition, long position, String text, String label, RejectReason reason,
                            String detail) {
            rejected++;
            rejectedByReason.merge(reason.code(), 1L, Long::sum);
            ValidationReport.Rejection rejection = partition < 0
                    ? new ValidationReport.Rejection(position, null, null, reason.code(), detail)
                    : new ValidationReport.Rejection(null, partition, position, reason.code(), detail);
            if (firstRejection == null || order(rejection) < order(firstRejection)) {
                firstRejection = rejection;
            }
            if (settings.reportSamples() > 0) {
                samples.add(rejection);
                if (samples.size() > settings.reportSamples()) {
                    samples.poll(); // drops the latest: the report keeps the first rows rejected
                }
            }
            try {
                var json = quarantine.json;
                json.writeStartObject();
                if (partition < 0) {
                    json.writeNumberField("line", position);
                } else {
                    json.writeNumberField("partition", partition);
                    json.writeNumberField("offset", position);
                }
                json.writeStringField("reason", reason.code());
                json.writeStringField("detail", detail);
                if (text != null) {
                    json.writeStringField("text", text);
                }
                if (label != null) {
                    json.writeStringField("label", label);
                }
                json.writeEndObject();
                json.writeRaw('\n');
                quarantine.rows++;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the quarantine in " + work, e);
            }
        }

        private static long order(ValidationReport.Rejection r) {
            return r.line() != null ? r.line() : r.offset();
        }

        private static String where(ValidationReport.Rejection r) {
            return r.line() != null ? "line " + r.line() : "partition " + r.partition() + " offset " + r.offset();
        }

        private static String where(int partition, long position) {
            return partition < 0 ? "line " + position : "partition " + partition + " offset " + position;
        }

        private DataInputStream open(Path file) throws IOException {
            return new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 64 * 1024));
        }
    }

    /** Half the L1 distance between two label distributions given as counts (0 identical, 1 disjoint). */
    public static double totalVariationDistance(Map<String, Long> before, Map<String, Long> after) {
        double totalBefore = before.values().stream().mapToLong(Long::longValue).sum();
        double totalAfter = after.values().stream().mapToLong(Long::longValue).sum();
        if (totalBefore == 0 || totalAfter == 0) {
            return totalBefore == totalAfter ? 0 : 1;
        }
        Set<String> labels = new HashSet<>(before.keySet());
        labels.addAll(after.keySet());
        double sum = 0;
        for (String label : labels) {
            sum += Math.abs(before.getOrDefault(label, 0L) / totalBefore - after.getOrDefault(label, 0L) / totalAfter);
        }
        return sum / 2;
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** One spilled record, read back into a reused holder. */
    private static final class Record {
        byte kind;
        byte split;
        long fp;
        final byte[] hash = new byte[32];
        int label;
        int partition;
        long position;
        String text;
        String sourceId;

        boolean read(DataInputStream in) throws IOException {
            int k = in.read();
            if (k < 0) {
                return false;
            }
            kind = (byte) k;
            split = in.readByte();
            fp = in.readLong();
            if (kind != KIND_PREVIOUS_REFERENCE) {
                in.readFully(hash);
            }
            label = in.readInt();
            partition = in.readInt();
            position = in.readLong();
            text = readString(in);
            sourceId = readString(in);
            return true;
        }

        long rawHash() {
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (hash[i] & 0xFF);
            }
            return h;
        }

        private static String readString(DataInputStream in) throws IOException {
            int length = in.readInt();
            if (length < 0) {
                return null;
            }
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}

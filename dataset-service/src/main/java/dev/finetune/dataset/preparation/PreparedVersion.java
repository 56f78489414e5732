package dev.finetune.dataset.preparation;

import dev.finetune.dataset.split.Split;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A version built on local disk and not stored anywhere yet: split files, quarantine, statistics, report.
 * Closing it deletes the files, so whatever happens next nothing is left behind on this machine.
 */
public final class PreparedVersion implements AutoCloseable {

    /** A finished local file with the checksum of its bytes. */
    public record LocalFile(Path path, String sha256, long bytes, long rows) {
    }

    private final Path workDir;
    private final Map<Split, LocalFile> splits;
    private final LocalFile quarantine;
    private final List<String> labels;
    private final Statistics statistics;
    private final ValidationReport report;
    private final String contentSha256;
    private final boolean identicalToPrevious;

    PreparedVersion(Path workDir, Map<Split, LocalFile> splits, LocalFile quarantine, List<String> labels,
                    Statistics statistics, ValidationReport report, String contentSha256, boolean identicalToPrevious) {
        this.workDir = workDir;
        this.splits = splits;
        this.quarantine = quarantine;
        this.labels = labels;
        this.statistics = statistics;
        this.report = report;
        this.contentSha256 = contentSha256;
        this.identicalToPrevious = identicalToPrevious;
    }

    public Map<Split, LocalFile> splits() {
        return splits;
    }

    public LocalFile quarantine() {
        return quarantine;
    }

    /** The label map, in order: the previous version's labels first, then new ones alphabetically. */
    public List<String> labels() {
        return labels;
    }

    public Statistics statistics() {
        return statistics;
    }

    public ValidationReport report() {
        return report;
    }

    public String contentSha256() {
        return contentSha256;
    }

    /** Same content as the previous version: no new version is made. */
    public boolean identicalToPrevious() {
        return identicalToPrevious;
    }

    @Override
    public void close() {
        deleteRecursively(workDir);
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete build directory " + dir, e);
        }
    }
}

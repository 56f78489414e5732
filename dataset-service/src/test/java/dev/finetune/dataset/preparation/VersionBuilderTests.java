package dev.finetune.dataset.preparation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.dataset.ingest.JsonlRowSource;
import dev.finetune.dataset.split.Split;
import dev.finetune.dataset.validation.FatalProblem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VersionBuilderTests {

    @TempDir
    Path temp;

    @Test
    void quarantinesBadRowsDuplicatesAndConflictingLabelsAndKeepsTheRest() throws IOException {
        String input = """
                {"text":"Great product","label":"pos"}
                {"text":"great   PRODUCT","label":"pos"}
                {"text":"Great product","label":"pos"}
                {"text":"Awful","label":"neg"}
                {"text":"Meh","label":"neg"}
                {"text":"Meh","label":"pos"}
                {"text":"","label":"neg"}
                {"text":"No label"}
                {"text":"Fine","label":"pos"}
                {"text":"Bad","label":"neg"}
                """;
        try (PreparedVersion v = builder(2).build(null, VersionBuilder.Mode.APPEND, rows(input))) {
            assertThat(v.statistics().examples()).isEqualTo(4); // great product, awful, fine, bad
            assertThat(v.statistics().perLabel()).containsEntry("pos", 2L).containsEntry("neg", 2L);
            assertThat(v.labels()).containsExactly("neg", "pos");
            assertThat(v.report().rejectedByReason()).containsEntry("duplicate", 1L)
                    .containsEntry("duplicate-after-normalisation", 1L)
                    .containsEntry("conflicting-label", 2L)
                    .containsEntry("empty-text", 1L)
                    .containsEntry("missing-label", 1L);
            assertThat(v.report().samples()).extracting(ValidationReport.Rejection::line)
                    .containsExactly(2L, 3L, 5L, 6L, 7L, 8L);
            List<Map<String, Object>> quarantined = readJsonLines(v.quarantine().path());
            assertThat(quarantined).hasSize(6).allSatisfy(q -> assertThat(q).containsKeys("line", "reason", "detail"));
            assertThat(quarantined).anySatisfy(q -> assertThat(q).containsEntry("reason", "conflicting-label")
                    .containsEntry("text", "Meh"));
            long stored = v.splits().values().stream().mapToLong(PreparedVersion.LocalFile::rows).sum();
            assertThat(stored).isEqualTo(4);
            assertThat(v.identicalToPrevious()).isFalse();
        }
    }

    @Test
    void appendingKeepsEveryOldExampleInItsSplitAndRejectsRepeats() throws IOException {
        String first = examples(0, 200);
        try (PreparedVersion v1 = builder(2).build(null, VersionBuilder.Mode.APPEND, rows(first))) {
            Map<String, Split> before = splitsOf(v1);
            InMemoryPrevious previous = InMemoryPrevious.of(1, v1);
            // Version 2 is built with other ratios: the old examples must still keep their split.
            VersionBuilder otherRatios = new VersionBuilder(settings(2, 0.5, 0.25, 0.25));
            try (PreparedVersion v2 = otherRatios.build(previous, VersionBuilder.Mode.APPEND,
                    rows(examples(150, 300)))) {
                Map<String, Split> after = splitsOf(v2);
                assertThat(after).hasSize(300);
                before.forEach((text, split) -> assertThat(after.get(text)).as(text).isEqualTo(split));
                assertThat(v2.statistics().carriedOver()).isEqualTo(200);
                assertThat(v2.statistics().newExamples()).isEqualTo(100);
                assertThat(v2.report().rejectedByReason()).containsEntry("duplicate", 50L);
            }
            try (PreparedVersion same = builder(2).build(previous, VersionBuilder.Mode.APPEND, rows(examples(0, 10)))) {
                assertThat(same.identicalToPrevious()).isTrue();
            }
        }
    }

    @Test
    void theContentChecksumIgnoresRowOrder() {
        List<String> lines = examples(0, 50).lines().collect(Collectors.toList());
        String forward = String.join("\n", lines);
        java.util.Collections.reverse(lines);
        String backward = String.join("\n", lines);
        try (PreparedVersion a = builder(2).build(null, VersionBuilder.Mode.APPEND, rows(forward));
             PreparedVersion b = builder(2).build(null, VersionBuilder.Mode.APPEND, rows(backward))) {
            assertThat(a.contentSha256()).isEqualTo(b.contentSha256());
        }
    }

    @Test
    void replacingReportsLabelChangesAndTheDistributionShift() {
        try (PreparedVersion v1 = builder(2).build(null, VersionBuilder.Mode.APPEND, rows(examples(0, 100)))) {
            String replacement = IntStream.range(0, 30)
                    .mapToObj(i -> "{\"text\":\"new " + i + "\",\"label\":\"" + (i < 20 ? "a" : "neutral") + "\"}")
                    .collect(Collectors.joining("\n"));
            try (PreparedVersion v2 = builder(2).build(InMemoryPrevious.of(1, v1), VersionBuilder.Mode.REPLACE,
                    rows(replacement))) {
                assertThat(v2.statistics().examples()).isEqualTo(30);
                assertThat(v2.report().labelsAdded()).containsExactly("neutral");
                assertThat(v2.report().labelsRemoved()).containsExactly("b");
                assertThat(v2.report().totalVariationDistance()).isGreaterThan(0.2);
                assertThat(v2.report().distributionShift()).isTrue();
                assertThat(v2.labels()).containsExactly("a", "neutral");
            }
        }
    }

    @Test
    void versionRulesFailTheBuildAndLeaveNothingOnDisk() throws IOException {
        assertThatThrownBy(() -> builder(2).build(null, VersionBuilder.Mode.APPEND,
                rows("{\"text\":\"x\",\"label\":\"a\"}\n{\"text\":\"y\",\"label\":\"a\"}")))
                .isInstanceOfSatisfying(FatalProblem.class, p -> assertThat(p.type()).isEqualTo("single-label"));
        assertThatThrownBy(() -> builder(3).build(null, VersionBuilder.Mode.APPEND, rows(examples(0, 5))))
                .isInstanceOfSatisfying(FatalProblem.class, p -> assertThat(p.type()).isEqualTo("too-few-examples"));
        byte[] latin1 = "{\"text\":\"caf\u00e9\",\"label\":\"a\"}\n{\"text\":\"cr\u00e8me\",\"label\":\"b\"}\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> builder(1).build(null, VersionBuilder.Mode.APPEND,
                new JsonlRowSource(new ByteArrayInputStream(latin1), 1 << 20)))
                .isInstanceOfSatisfying(FatalProblem.class, p -> {
                    assertThat(p.type()).isEqualTo("no-usable-rows");
                    assertThat(p.reason()).isEqualTo("invalid-utf8");
                    assertThat(p.line()).isEqualTo(1L);
                });
        try (var left = Files.list(temp)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void totalVariationDistance() {
        assertThat(VersionBuilder.totalVariationDistance(Map.of("a", 50L, "b", 50L), Map.of("a", 100L, "b", 100L)))
                .isZero();
        assertThat(VersionBuilder.totalVariationDistance(Map.of("a", 10L), Map.of("b", 10L))).isEqualTo(1.0);
        assertThat(VersionBuilder.totalVariationDistance(Map.of("a", 50L, "b", 50L), Map.of("a", 75L, "b", 25L)))
                .isEqualTo(0.25);
    }

    // ---- helpers

    private VersionBuilder builder(int minPerLabel) {
        return new VersionBuilder(settings(minPerLabel, 0.8, 0.1, 0.1));
    }

    private VersionBuilder.Settings settings(int minPerLabel, double train, double validation, double test) {
        return new VersionBuilder.Settings(1000, 100, 100, minPerLabel, 0.2, 10, 8, temp, train, validation, test);
    }

    private static JsonlRowSource rows(String jsonl) {
        return new JsonlRowSource(new ByteArrayInputStream(jsonl.getBytes(StandardCharsets.UTF_8)), 1 << 20);
    }

    /** Rows "example i" for i in [from, to), labelled a and b alternately. */
    static String examples(int from, int to) {
        return IntStream.range(from, to)
                .mapToObj(i -> "{\"text\":\"example " + i + "\",\"label\":\"" + (i % 2 == 0 ? "a" : "b") + "\"}")
                .collect(Collectors.joining("\n"));
    }

    private static Map<String, Split> splitsOf(PreparedVersion v) {
        Map<String, Split> out = new HashMap<>();
        v.splits().forEach((split, file) -> {
            try (InputStream in = Files.newInputStream(file.path())) {
                SplitFiles.read(in, split, (s, text, label, sourceId) -> out.put(text, s));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> readJsonLines(Path gz) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    out.add(dev.finetune.events.EventCodec.mapper().readValue(line, Map.class));
                }
            }
        }
        return out;
    }

    /** A previous version read from a built one's local files. */
    record InMemoryPrevious(int version, List<String> labels, Map<String, Long> labelCounts, String contentSha256,
                            Map<Split, Path> files) implements PreviousVersion {
        static InMemoryPrevious of(int version, PreparedVersion v) {
            Map<Split, Path> files = new HashMap<>();
            v.splits().forEach((split, file) -> files.put(split, file.path()));
            return new InMemoryPrevious(version, v.labels(), v.statistics().perLabel(), v.contentSha256(), files);
        }

        @Override
        public void forEachExample(ExampleSink sink) {
            files.forEach((split, path) -> {
                try (InputStream in = Files.newInputStream(path)) {
                    SplitFiles.read(in, split, sink);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}

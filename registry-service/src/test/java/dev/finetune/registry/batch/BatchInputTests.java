package dev.finetune.registry.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class BatchInputTests {

    private static final BatchInput.Limits LIMITS = new BatchInput.Limits(40, 1024, 100);

    @Test
    void jsonLinesGiveOneRowPerObjectWithItsIdSkippingBlankLines() {
        List<BatchRow> rows = read(InputFormat.JSONL, """
                {"text": "great phone", "id": "r-1"}

                {"text": "broken on arrival", "id": 7, "label": "ignored"}\r
                {"text": "fine"}
                """);
        assertThat(rows).containsExactly(new BatchRow(1, 1, "r-1", "great phone"),
                new BatchRow(2, 3, "7", "broken on arrival"), new BatchRow(3, 4, null, "fine"));
    }

    @Test
    void csvReadsTheTextAndIdColumnsByNameWithQuotedFieldsOverSeveralLines() {
        List<BatchRow> rows = read(InputFormat.CSV, """
                ID,Text,source
                a1,"good, really",web
                a2,"two
                lines \"\"quoted\"\"\",app

                ,plain,web
                """);
        assertThat(rows).extracting(BatchRow::row, BatchRow::id, BatchRow::text).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1L, "a1", "good, really"),
                org.assertj.core.groups.Tuple.tuple(2L, "a2", "two\nlines \"quoted\""),
                org.assertj.core.groups.Tuple.tuple(3L, null, "plain"));
    }

    @Test
    void gzipIsRecognisedByItsMagicBytes() throws IOException {
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(zipped)) {
            gzip.write("{\"text\": \"zipped\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        try (BatchInput input = BatchInput.open(new ByteArrayInputStream(zipped.toByteArray()), InputFormat.JSONL, LIMITS)) {
            assertThat(input.next()).isEqualTo(new BatchRow(1, 1, null, "zipped"));
            assertThat(input.next()).isNull();
        }
    }

    @Test
    void aJsonLineThatCannotBeScoredFailsTheInputNamingItsLine() {
        assertBad(InputFormat.JSONL, "{\"text\": \"ok\"}\n{\"text\": \"ok\"\n", "line 2: not JSON");
        assertBad(InputFormat.JSONL, "{\"text\": \"ok\"}\n[\"text\"]\n", "line 2: not a JSON object with a \"text\" field");
        assertBad(InputFormat.JSONL, "{\"text\": \"ok\"}\n\n{\"review\": \"ok\"}\n", "line 3: no \"text\" string");
        assertBad(InputFormat.JSONL, "{\"text\": 5}\n", "line 1: no \"text\" string");
        assertBad(InputFormat.JSONL, "{\"text\": \"ok\", \"id\": {\"a\": 1}}\n",
                "line 1: \"id\" must be a string or a whole number");
    }

    @Test
    void aCsvRecordThatCannotBeScoredFailsTheInputNamingItsLine() {
        assertBad(InputFormat.CSV, "id,review\n1,good\n", "line 1: no column \"text\" in the header [id, review]");
        assertBad(InputFormat.CSV, "id,text\n1,good\n2,bad,extra\n", "line 3: 3 fields; the header has 2");
        assertBad(InputFormat.CSV, "", "line 1: no header row: the input is empty");
    }

    @Test
    void everyBoundIsCheckedWithTheSettingThatSetsIt() {
        assertBad(InputFormat.JSONL, "{\"text\": \"" + "x".repeat(41) + "\"}\n",
                "line 1: the text has 41 characters; at most 40 (registry.serving.max-text-chars)");
        assertBad(InputFormat.JSONL, "{\"text\": \"ok\", \"pad\": \"" + "x".repeat(1100) + "\"}\n",
                "line 1: longer than 1024 bytes (registry.batch.max-line-bytes)");
        assertBad(InputFormat.JSONL, "{\"text\": \"ok\"}\n".repeat(101), "line 101: more than 100 rows (registry.batch.max-rows)");
        assertBad(InputFormat.CSV, "text\n" + "ok\n".repeat(101), "line 102: more than 100 rows (registry.batch.max-rows)");
    }

    @Test
    void invalidUtf8IsNamedNotGuessedAt() {
        byte[] bytes = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, '(', '"', '}', '\n'};
        assertThatThrownBy(() -> readAll(InputFormat.JSONL, bytes)).isInstanceOf(BadInput.class)
                .hasMessage("line 1: not valid UTF-8");
    }

    private static void assertBad(InputFormat format, String input, String message) {
        assertThatThrownBy(() -> read(format, input)).isInstanceOf(BadInput.class).hasMessageStartingWith(message);
    }

    private static List<BatchRow> read(InputFormat format, String input) {
        return readAll(format, input.getBytes(StandardCharsets.UTF_8));
    }

    private static List<BatchRow> readAll(InputFormat format, byte[] bytes) {
        List<BatchRow> rows = new ArrayList<>();
        try (BatchInput input = BatchInput.open(new ByteArrayInputStream(bytes), format, LIMITS)) {
            for (BatchRow row = input.next(); row != null; row = input.next()) {
                rows.add(row);
            }
        }
        return rows;
    }
}

package dev.finetune.dataset.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.dataset.validation.FatalProblem;
import dev.finetune.dataset.validation.RejectReason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonlRowSourceTests {

    @Test
    void readsRowsWithLineNumbersSkippingBlankLinesAndAByteOrderMark() {
        List<RawRow> rows = read("\uFEFF{\"text\":\"good\",\"label\":\"pos\",\"extra\":[1,2]}\r\n\n"
                + "{\"text\":\"bad\",\"label\":7,\"sourceId\":\"crm-1\"}");
        assertThat(rows).extracting(RawRow::position).containsExactly(1L, 3L);
        assertThat(rows.get(0).text()).isEqualTo("good");
        assertThat(rows.get(1).label()).isEqualTo("7");
        assertThat(rows.get(1).sourceId()).isEqualTo("crm-1");
        assertThat(rows).allMatch(r -> r.rejected() == null);
    }

    @Test
    void oddlyShapedFieldsAreRowProblemsNotFatal() {
        List<RawRow> rows = read("""
                {"text":"a","label":{"x":1}}
                {"text":"b","label":true}
                {"text":5,"label":"pos"}
                {"label":"pos"}
                """);
        assertThat(rows).extracting(RawRow::rejected).containsExactly(RejectReason.LABEL_SHAPE,
                RejectReason.LABEL_SHAPE, RejectReason.TEXT_SHAPE, null);
        assertThat(rows.get(3).text()).isNull();
    }

    @Test
    void invalidUtf8IsARowProblemWithItsOffset() {
        byte[] latin1 = "{\"text\":\"caf\u00e9\",\"label\":\"pos\"}\n".getBytes(StandardCharsets.ISO_8859_1);
        List<RawRow> rows = read(latin1);
        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.rejected()).isEqualTo(RejectReason.INVALID_UTF8);
            assertThat(r.detail()).contains("byte 12");
        });
    }

    @Test
    void aLineThatIsNotAJsonObjectFailsTheUploadNamingTheLine() {
        assertThatThrownBy(() -> read("{\"text\":\"a\",\"label\":\"x\"}\n{\"text\": \"b\", \"label\"\n"))
                .isInstanceOfSatisfying(FatalProblem.class, p -> {
                    assertThat(p.type()).isEqualTo("malformed-json");
                    assertThat(p.line()).isEqualTo(2L);
                });
        assertThatThrownBy(() -> read("[1,2]\n")).isInstanceOfSatisfying(FatalProblem.class,
                p -> assertThat(p.type()).isEqualTo("malformed-json"));
        assertThatThrownBy(() -> read("{\"text\":\"a\",\"label\":\"x\"} trailing\n"))
                .isInstanceOf(FatalProblem.class);
    }

    @Test
    void aNulByteMeansBinary() {
        assertThatThrownBy(() -> read(new byte[] {'{', 0, '}', '\n'})).isInstanceOfSatisfying(FatalProblem.class,
                p -> assertThat(p.type()).isEqualTo("binary-content"));
    }

    @Test
    void aLineOverTheLimitFailsBeforeItIsReadWhole() {
        // A 4 MiB line against a 1000-byte limit: the reader may fill one buffer (64 KiB), never the whole line.
        int textBytes = 4 * 1024 * 1024;
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        big.writeBytes("{\"text\":\"".getBytes(StandardCharsets.UTF_8));
        big.writeBytes("a".repeat(textBytes).getBytes(StandardCharsets.UTF_8));
        big.writeBytes("\",\"label\":\"x\"}\n".getBytes(StandardCharsets.UTF_8));
        byte[] input = big.toByteArray();
        CountingInput in = new CountingInput(input);
        assertThatThrownBy(() -> drain(new JsonlRowSource(in, 1000))).isInstanceOfSatisfying(FatalProblem.class, p -> {
            assertThat(p.status()).isEqualTo(413);
            assertThat(p.type()).isEqualTo("line-too-long");
            assertThat(p.line()).isEqualTo(1L);
        });
        assertThat(in.bytesRead()).as("bytes read of %d before failing", input.length)
                .isGreaterThan(1000)
                .isLessThanOrEqualTo(128 * 1024);
    }

    private static List<RawRow> read(String s) {
        return read(s.getBytes(StandardCharsets.UTF_8));
    }

    private static List<RawRow> read(byte[] bytes) {
        return drain(new JsonlRowSource(new ByteArrayInputStream(bytes), 1 << 20));
    }

    static List<RawRow> drain(RowSource source) {
        List<RawRow> rows = new ArrayList<>();
        RawRow r;
        while ((r = source.next()) != null) {
            rows.add(r);
        }
        return rows;
    }

    /**
     * Knows how many bytes the reader took from the stream, whichever read method it used: the stream's own
     * position, which every read advances and nothing else does (the reader never marks or resets).
     */
    private static final class CountingInput extends ByteArrayInputStream {
        CountingInput(byte[] b) {
            super(b);
        }

        synchronized long bytesRead() {
            return pos;
        }
    }
}

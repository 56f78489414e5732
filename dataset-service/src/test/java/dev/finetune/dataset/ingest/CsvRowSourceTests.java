package dev.finetune.dataset.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.dataset.validation.FatalProblem;
import dev.finetune.dataset.validation.RejectReason;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRowSourceTests {

    @Test
    void readsNamedColumnsWithQuotesEscapedQuotesAndLineBreaks() {
        String csv = "id,Review,Sentiment\r\n"
                + "1,\"Good, really\",pos\r\n"
                + "2,\"He said \"\"meh\"\"\nand left\",neg\n"
                + "3,plain,neg\n";
        List<RawRow> rows = JsonlRowSourceTests.drain(source(csv, new CsvRowSource.Columns("review", "sentiment", "id")));
        assertThat(rows).extracting(RawRow::text)
                .containsExactly("Good, really", "He said \"meh\"\nand left", "plain");
        assertThat(rows).extracting(RawRow::position).containsExactly(2L, 3L, 5L);
        assertThat(rows).extracting(RawRow::sourceId).containsExactly("1", "2", "3");
    }

    @Test
    void aHeaderWithoutTheColumnsFailsTheUpload() {
        assertThatThrownBy(() -> source("sentence,class\nhi,x\n", CsvRowSource.Columns.DEFAULT))
                .isInstanceOfSatisfying(FatalProblem.class, p -> {
                    assertThat(p.type()).isEqualTo("wrong-header");
                    assertThat(p.line()).isEqualTo(1L);
                    assertThat(p.detail()).contains("no column 'text'").contains("[sentence, class]");
                });
    }

    @Test
    void aRecordWithTheWrongNumberOfFieldsIsQuarantined() {
        List<RawRow> rows = JsonlRowSourceTests.drain(source("text,label\na,b,c\nok,pos\n", CsvRowSource.Columns.DEFAULT));
        assertThat(rows).extracting(RawRow::rejected).containsExactly(RejectReason.WRONG_FIELD_COUNT, null);
    }

    @Test
    void anUnclosedQuoteFailsTheUpload() {
        assertThatThrownBy(() -> JsonlRowSourceTests.drain(source("text,label\n\"never closed,pos\n",
                CsvRowSource.Columns.DEFAULT))).isInstanceOfSatisfying(FatalProblem.class,
                p -> assertThat(p.type()).isEqualTo("malformed-csv"));
    }

    @Test
    void latin1BytesAreQuarantinedAsInvalidUtf8() {
        byte[] latin1 = "text,label\ncaf\u00e9,pos\n".getBytes(StandardCharsets.ISO_8859_1);
        List<RawRow> rows = JsonlRowSourceTests.drain(new CsvRowSource(new ByteArrayInputStream(latin1),
                CsvRowSource.Columns.DEFAULT, ',', 1 << 20));
        assertThat(rows).singleElement().extracting(RawRow::rejected).isEqualTo(RejectReason.INVALID_UTF8);
    }

    private static CsvRowSource source(String csv, CsvRowSource.Columns columns) {
        return new CsvRowSource(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), columns, ',', 1 << 20);
    }
}

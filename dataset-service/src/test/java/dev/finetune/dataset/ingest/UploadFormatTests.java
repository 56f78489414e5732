package dev.finetune.dataset.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.dataset.validation.FatalProblem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class UploadFormatTests {

    @Test
    void theFormatComesFromTheContentTypeOrTheQueryParameter() {
        assertThat(UploadFormat.resolve("application/x-ndjson; charset=utf-8", null)).isEqualTo(UploadFormat.JSONL);
        assertThat(UploadFormat.resolve("text/csv", null)).isEqualTo(UploadFormat.CSV);
        assertThat(UploadFormat.resolve("application/gzip", "csv")).isEqualTo(UploadFormat.CSV);
        assertThatThrownBy(() -> UploadFormat.resolve("application/gzip", null))
                .isInstanceOfSatisfying(FatalProblem.class, p -> {
                    assertThat(p.status()).isEqualTo(415);
                    assertThat(p.detail()).contains("?format=");
                });
    }

    @Test
    void gzipIsRecognisedByItsMagicBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write("hello\n".getBytes(StandardCharsets.UTF_8));
        }
        try (InputStream in = UploadFormat.decoded(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
        }
        try (InputStream in = UploadFormat.decoded(new ByteArrayInputStream("plain".getBytes(StandardCharsets.UTF_8)))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("plain");
        }
    }

    @Test
    void anEmptyBodyIsRefused() {
        assertThatThrownBy(() -> UploadFormat.decoded(new ByteArrayInputStream(new byte[0])))
                .isInstanceOfSatisfying(FatalProblem.class, p -> assertThat(p.type()).isEqualTo("empty-body"));
    }
}

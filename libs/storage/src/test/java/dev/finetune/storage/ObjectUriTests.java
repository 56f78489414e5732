package dev.finetune.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ObjectUriTests {

    @Test
    void parsesBucketAndKeyAndPrintsBack() {
        ObjectUri uri = ObjectUri.parse("s3://finetune/models/run-1/ckpt-10/model.zip");
        assertThat(uri.bucket()).isEqualTo("finetune");
        assertThat(uri.key()).isEqualTo("models/run-1/ckpt-10/model.zip");
        assertThat(uri).hasToString("s3://finetune/models/run-1/ckpt-10/model.zip");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://finetune/a", "s3://", "s3://bucket", "s3://bucket/", "s3:///key", "finetune/a"})
    void rejectsWhatIsNotAnObjectUri(String text) {
        assertThatThrownBy(() -> ObjectUri.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(text);
    }
}

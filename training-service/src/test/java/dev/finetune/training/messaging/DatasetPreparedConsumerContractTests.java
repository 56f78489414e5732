package dev.finetune.training.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.events.DocumentedExamples;
import dev.finetune.events.EventFormatException;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.Topics;
import org.junit.jupiter.api.Test;

/** The consumer side of the {@code datasets.prepared} contract: the documented example is what this service reads. */
class DatasetPreparedConsumerContractTests {

    @Test
    void decodesTheDocumentedExample() {
        DatasetPrepared event = DatasetPreparedConsumer.decode(DocumentedExamples.forTopic(Topics.DATASETS_PREPARED));

        assertThat(event.key()).isEqualTo("reviews");
        assertThat(event.version()).isEqualTo(3);
        assertThat(event.splits()).containsKeys("train", "validation", "test");
        assertThat(event.splits().get("test").uri()).startsWith("s3://");
        assertThat(event.labels()).containsExactly("negative", "neutral", "positive");
        assertThat(event.correlationId()).isEqualTo("reviews-v3");
    }

    @Test
    void rejectsARecordWithoutItsKeyField() {
        String withoutKey = DocumentedExamples.forTopic(Topics.DATASETS_PREPARED).replaceFirst("\"dataset\"\\s*:", "\"renamed\":");
        assertThatThrownBy(() -> DatasetPreparedConsumer.decode(withoutKey))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("dataset");
    }
}

package dev.finetune.evaluation.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.events.DocumentedExamples;
import dev.finetune.events.EventFormatException;
import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.Topics;
import org.junit.jupiter.api.Test;

/** The consumer side of the {@code training.checkpoints} contract: the documented example is what this service reads. */
class CheckpointConsumerContractTests {

    @Test
    void decodesTheDocumentedExample() {
        CheckpointSaved event = CheckpointConsumer.decode(DocumentedExamples.forTopic(Topics.TRAINING_CHECKPOINTS));

        assertThat(event.key()).isEqualTo("7d3f2a61-0c4e-4b8a-9f2e-5a1d3c7b9e40");
        assertThat(event.candidate()).isTrue();
        assertThat(event.lineage().datasetVersion()).isEqualTo(3);
        assertThat(event.lineage().checkpointSha256()).hasSize(64);
        assertThat(event.validationMetrics()).containsKey("accuracy");
        // The test split this service scores on is named by the lineage, with the checksum it verifies.
        assertThat(event.lineage().splits().get("test").uri()).isEqualTo("s3://finetune/datasets/reviews/v3/test.jsonl.gz");
        assertThat(event.lineage().splits().get("test").sha256()).hasSize(64);
    }

    @Test
    void rejectsARecordWithoutItsKeyField() {
        String withoutKey = DocumentedExamples.forTopic(Topics.TRAINING_CHECKPOINTS).replaceFirst("\"modelName\"\\s*:", "\"renamed\":");
        assertThatThrownBy(() -> CheckpointConsumer.decode(withoutKey))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("modelName");
    }
}

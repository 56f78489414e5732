package dev.finetune.registry.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.events.DocumentedExamples;
import dev.finetune.events.EventFormatException;
import dev.finetune.events.ModelPromoted;
import dev.finetune.events.Topics;
import org.junit.jupiter.api.Test;

/** The consumer side of the {@code models.promoted} contract: the documented example is what this service reads. */
class PromotionConsumerContractTests {

    @Test
    void decodesTheDocumentedExample() {
        ModelPromoted event = PromotionConsumer.decode(DocumentedExamples.forTopic(Topics.MODELS_PROMOTED));

        assertThat(event.key()).isEqualTo("reviews");
        assertThat(event.rules()).isNotEmpty().allMatch(r -> r.passed());
        assertThat(event.lineage().checkpointUri()).isEqualTo(event.packageUri());
    }

    @Test
    void rejectsARecordWithoutItsKeyField() {
        String withoutKey = DocumentedExamples.forTopic(Topics.MODELS_PROMOTED).replaceFirst("\"modelName\"\\s*:", "\"renamed\":");
        assertThatThrownBy(() -> PromotionConsumer.decode(withoutKey))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("modelName");
    }
}

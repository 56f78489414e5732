package dev.finetune.registry.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.events.DocumentedExamples;
import dev.finetune.events.EventFormatException;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.Topics;
import org.junit.jupiter.api.Test;

/** The consumer side of the {@code evaluations.completed} contract: the documented example is what this service reads. */
class EvaluationConsumerContractTests {

    @Test
    void decodesTheDocumentedExample() {
        EvaluationCompleted event = EvaluationConsumer.decode(DocumentedExamples.forTopic(Topics.EVALUATIONS_COMPLETED));

        assertThat(event.key()).isEqualTo("reviews");
        assertThat(event.status()).isEqualTo(EvaluationCompleted.Status.SUCCEEDED);
        assertThat(event.metrics()).containsKeys("accuracy", "macroF1", "ece", "latencyP95Ms");
        assertThat(event.champion().mcnemarPValue()).isLessThan(0.05);
        assertThat(event.lineage().runId()).isEqualTo("7d3f2a61-0c4e-4b8a-9f2e-5a1d3c7b9e40");
        // The registry keeps the lineage as it comes: the splits the version was trained and tested on.
        assertThat(event.lineage().splits()).containsOnlyKeys("train", "validation", "test");
        assertThat(event.lineage().splits().get("test").uri()).isEqualTo("s3://finetune/datasets/reviews/v3/test.jsonl.gz");
    }

    @Test
    void rejectsARecordWithoutItsKeyField() {
        String withoutKey = DocumentedExamples.forTopic(Topics.EVALUATIONS_COMPLETED).replaceFirst("\"modelName\"\\s*:", "\"renamed\":");
        assertThatThrownBy(() -> EvaluationConsumer.decode(withoutKey))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("modelName");
    }
}

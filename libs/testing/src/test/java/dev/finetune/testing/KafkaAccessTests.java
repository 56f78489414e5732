package dev.finetune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.events.Topics;
import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaAccessTests {

    @Test
    void everyTopicHasExactlyOneWriter() {
        for (String topic : Topics.all()) {
            List<String> writers = KafkaAccess.GRANTS.stream()
                    .filter(g -> g.writes().contains(topic)).map(KafkaAccess.Grant::principal).toList();
            assertThat(writers).as("writers of %s", topic).hasSize(1);
        }
    }

    @Test
    void everyConsumerMayReadWhatItConsumes() {
        for (Topics.Consumed consumed : Topics.CONSUMED) {
            KafkaAccess.Grant grant = KafkaAccess.GRANTS.stream()
                    .filter(g -> g.principal().equals(consumed.consumer())).findFirst().orElseThrow();
            assertThat(grant.reads()).contains(consumed.topic());
            assertThat(grant.writes()).contains(consumed.deadLetterTopic());
        }
    }

    @Test
    void pipelineWritesOnlyLabelsAndReadsOnlyPublicTopics() {
        KafkaAccess.Grant pipeline = KafkaAccess.GRANTS.stream()
                .filter(g -> g.principal().equals(KafkaAccess.PIPELINE)).findFirst().orElseThrow();
        assertThat(pipeline.writes()).containsExactly(Topics.LABELS_INGEST);
        assertThat(pipeline.reads()).containsExactlyInAnyOrder(Topics.MODELS_PROMOTED, Topics.MODELS_REJECTED,
                Topics.TRAINING_PROGRESS, Topics.TRAINING_CHECKPOINTS, Topics.TRAINING_COMPLETED,
                Topics.TRAINING_FAILED);
        assertThat(pipeline.reads()).doesNotContain(Topics.DATASETS_PREPARED, Topics.LABELS_INGEST);
    }
}

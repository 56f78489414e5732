package dev.finetune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.events.Topics;
import java.util.List;
import org.junit.jupiter.api.Test;

class KafkaAccessTests {

    @Test
    void everyTopicHasExactlyOneWriter() {
        List<String> topics = new java.util.ArrayList<>(Topics.all());
        KafkaAccess.TEAMS.forEach(team -> topics.addAll(Topics.ofTeam(team)));
        for (String topic : topics) {
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
            if (consumed.topic().equals(Topics.LABELS_INGEST)) {
                assertThat(grant.reads()).containsAll(KafkaAccess.TEAMS.stream().map(Topics::labelsIngest).toList());
            } else {
                assertThat(grant.reads()).contains(consumed.topic());
            }
            assertThat(grant.writes()).contains(consumed.deadLetterTopic());
        }
    }

    @Test
    void eachTeamsPipelineWritesOnlyItsOwnLabelsAndReadsOnlyPublicTopics() {
        for (String team : KafkaAccess.TEAMS) {
            KafkaAccess.Grant pipeline = KafkaAccess.GRANTS.stream()
                    .filter(g -> g.principal().equals("pipeline-" + team)).findFirst().orElseThrow();
            assertThat(pipeline.writes()).containsExactly("labels.ingest." + team);
            assertThat(pipeline.reads()).containsExactlyInAnyOrder(Topics.MODELS_PROMOTED, Topics.MODELS_REJECTED,
                    Topics.TRAINING_PROGRESS, Topics.TRAINING_CHECKPOINTS, Topics.TRAINING_COMPLETED,
                    Topics.TRAINING_FAILED, Topics.BATCH_PREDICTIONS_COMPLETED);
            assertThat(pipeline.groupPrefix()).isEqualTo("pipeline-" + team + ".");
        }
        assertThat(KafkaAccess.GRANTS).extracting(KafkaAccess.Grant::principal).doesNotContain(KafkaAccess.PIPELINE);
    }
}

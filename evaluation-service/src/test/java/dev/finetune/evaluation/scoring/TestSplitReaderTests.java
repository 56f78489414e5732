package dev.finetune.evaluation.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.DocumentedExamples;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Lineage;
import dev.finetune.events.Topics;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test split is the one the candidate's lineage names, and only that one. */
class TestSplitReaderTests {

    @Test
    void theTestSplitIsTheLineages() {
        Lineage lineage = EventCodec.decode(DocumentedExamples.forTopic(Topics.TRAINING_CHECKPOINTS),
                CheckpointSaved.class).lineage();
        assertThat(TestSplitReader.testSplitOf(lineage)).isEqualTo(new DatasetPrepared.SplitRef(
                "s3://finetune/datasets/reviews/v3/test.jsonl.gz",
                "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90", 300));
    }

    @Test
    void aLineageFromBeforeSplitsTravelledWithItIsAFailureSayingSo() {
        assertThatThrownBy(() -> TestSplitReader.testSplitOf(lineage(Map.of())))
                .isInstanceOf(EvaluationFailure.class)
                .hasMessage("lineage of checkpoint s3://finetune/models/run-1/ckpt-3/model.zip names no test split "
                        + "(announced before lineages carried the splits); train the data set version again to "
                        + "evaluate it");
    }

    @Test
    void aLineageWithoutATestSplitNamesTheSplitsItHas() {
        assertThatThrownBy(() -> TestSplitReader.testSplitOf(lineage(Map.of("train",
                new DatasetPrepared.SplitRef("s3://finetune/datasets/d/v1/train.jsonl.gz", "9b2f", 24)))))
                .isInstanceOf(EvaluationFailure.class).hasMessageContaining("names no test split (splits [train])");
    }

    private static Lineage lineage(Map<String, DatasetPrepared.SplitRef> splits) {
        return new Lineage("d", "team-a", 1, "s3://finetune/datasets/d/v1/manifest.json", "run-1",
                "s3://finetune/models/run-1/ckpt-3/model.zip", "ab", 3, splits);
    }
}

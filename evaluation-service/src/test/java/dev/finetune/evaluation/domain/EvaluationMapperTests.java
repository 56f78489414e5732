package dev.finetune.evaluation.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.DocumentedExamples;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Lineage;
import dev.finetune.events.Topics;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The row built from a checkpoint event and the event rebuilt from the row. */
class EvaluationMapperTests {

    @Test
    void namesTheCheckpointByItsFolderOrItsStep() {
        assertThat(EvaluationMapper.checkpointName(lineage("s3://finetune/models/run-1/ckpt-300/model.zip", 300)))
                .isEqualTo("ckpt-300");
        assertThat(EvaluationMapper.checkpointName(lineage("s3://finetune/elsewhere/model.zip", 12)))
                .isEqualTo("ckpt-12");
    }

    @Test
    void theEventCarriesTheRowsLineageMetricsAndChampion() {
        CheckpointSaved checkpoint = EventCodec.decode(DocumentedExamples.forTopic(Topics.TRAINING_CHECKPOINTS),
                CheckpointSaved.class);
        Evaluation row = EvaluationMapper.started(checkpoint);
        row.status = EvaluationCompleted.Status.SUCCEEDED;
        row.metrics = EvaluationMapper.json(Map.of("accuracy", 0.9));
        row.perLabelF1 = EvaluationMapper.json(Map.of("positive", 0.8));
        row.champion = EvaluationMapper.json(new EvaluationCompleted.ChampionComparison(2, Map.of("accuracy", 0.1),
                0.01, 0.2, 0.003));
        row.reportUri = "s3://finetune/reports/7d3f2a61-0c4e-4b8a-9f2e-5a1d3c7b9e40/ckpt-300/report.json";

        EvaluationCompleted event = EvaluationMapper.toEvent(row);
        assertThat(event.eventId()).isEqualTo(row.eventId);
        assertThat(event.key()).isEqualTo("reviews");
        assertThat(event.correlationId()).isEqualTo(checkpoint.correlationId());
        assertThat(event.lineage()).isEqualTo(checkpoint.lineage());
        assertThat(event.lineage().splits()).containsKeys("train", "validation", "test");
        assertThat(event.metrics()).containsEntry("accuracy", 0.9);
        assertThat(event.champion().mcnemarPValue()).isEqualTo(0.003);
        assertThat(row.checkpoint).isEqualTo("ckpt-300");
        // A round trip through JSON is what registry-service reads.
        assertThat(EventCodec.decode(EventCodec.encode(event), EvaluationCompleted.class)).isEqualTo(event);
    }

    private static Lineage lineage(String uri, int step) {
        return new Lineage("d", "team-a", 1, "s3://finetune/datasets/d/v1/manifest.json", "run-1", uri, "ab", step, Map.of());
    }
}

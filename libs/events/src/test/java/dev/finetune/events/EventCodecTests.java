package dev.finetune.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventCodecTests {

    private static final Map<String, DatasetPrepared.SplitRef> SPLITS = Map.of(
            "train", new DatasetPrepared.SplitRef("s3://b/datasets/reviews/v3/train.jsonl.gz", "9b2f", 24),
            "test", new DatasetPrepared.SplitRef("s3://b/datasets/reviews/v3/test.jsonl.gz", "a1b2", 3));
    private static final Lineage LINEAGE = new Lineage("reviews", "team-a", 3, "s3://b/datasets/reviews/v3/manifest.json",
            "run-1", "s3://b/models/run-1/ckpt-10/model.zip", "abc", 10, SPLITS);

    @Test
    void roundTripsAnEventWithItsEnvelope() {
        DatasetPrepared event = new DatasetPrepared(EventMeta.next("dataset-service", "reviews-v3"), "reviews", "team-a", 3,
                "s3://b/m.json", Map.of("train", new DatasetPrepared.SplitRef("s3://b/t", "ff", 12)),
                List.of("neg", "pos"), "00");

        DatasetPrepared back = EventCodec.decode(EventCodec.encode(event), DatasetPrepared.class);

        assertThat(back).isEqualTo(event);
        assertThat(back.key()).isEqualTo("reviews");
        assertThat(back.schemaVersion()).isEqualTo(EventMeta.SCHEMA_VERSION);
    }

    @Test
    void writesInstantsAsIsoStrings() {
        String json = EventCodec.encode(new TrainingFailed(EventMeta.next("training-service", "c"), "run-1", "m",
                "reviews", 1, "boom"));
        assertThat(json).containsPattern("\"occurredAt\":\"\\d{4}-\\d{2}-\\d{2}T");
        assertThat(json).doesNotContain("\"key\"").doesNotContain("\"topic\"");
    }

    @Test
    void toleratesUnknownFields() throws Exception {
        ObjectNode tree = (ObjectNode) EventCodec.mapper().readTree(EventCodec.encode(
                new TrainingFailed(EventMeta.next("training-service", "c"), "run-1", "m", "reviews", 1, "boom")));
        tree.put("addedInAFutureVersion", 42);
        assertThat(EventCodec.decode(tree.toString(), TrainingFailed.class).runId()).isEqualTo("run-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"eventId", "occurredAt", "producer", "correlationId", "runId", "reason"})
    void aMissingRequiredFieldIsAFormatErrorNamingTheField(String field) throws Exception {
        ObjectNode tree = (ObjectNode) EventCodec.mapper().readTree(EventCodec.encode(
                new TrainingFailed(EventMeta.next("training-service", "c"), "run-1", "m", "reviews", 1, "boom")));
        tree.remove(field);
        assertThatThrownBy(() -> EventCodec.decode(tree.toString(), TrainingFailed.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("TrainingFailed")
                .hasMessageContaining("'" + field + "'");
    }

    @Test
    void aMissingSchemaVersionIsRejected() throws Exception {
        ObjectNode tree = (ObjectNode) EventCodec.mapper().readTree(EventCodec.encode(new CheckpointSaved(
                EventMeta.next("training-service", "c"), "m", LINEAGE, 1, Map.of("accuracy", 0.9), true, false)));
        tree.remove("schemaVersion");
        assertThatThrownBy(() -> EventCodec.decode(tree.toString(), CheckpointSaved.class))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("schemaVersion");
    }

    @Test
    void aMissingNestedFieldIsNamed() throws Exception {
        ObjectNode tree = (ObjectNode) EventCodec.mapper().readTree(EventCodec.encode(new CheckpointSaved(
                EventMeta.next("training-service", "c"), "m", LINEAGE, 1, Map.of(), false, true)));
        ((ObjectNode) tree.get("lineage")).remove("checkpointUri");
        assertThatThrownBy(() -> EventCodec.decode(tree.toString(), CheckpointSaved.class))
                .isInstanceOf(EventFormatException.class).hasMessageContaining("lineage.checkpointUri");
    }

    @Test
    void roundTripsTheLineagesSplits() throws Exception {
        CheckpointSaved event = new CheckpointSaved(EventMeta.next("training-service", "c"), "m", LINEAGE, 1,
                Map.of("accuracy", 0.9), true, false);
        String json = EventCodec.encode(event);

        CheckpointSaved back = EventCodec.decode(json, CheckpointSaved.class);

        assertThat(back).isEqualTo(event);
        assertThat(back.lineage().splits()).isEqualTo(SPLITS);
        assertThat(EventCodec.mapper().readTree(json).path("lineage").path("splits").path("test").path("sha256")
                .asText()).isEqualTo("a1b2");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aLineageFromBeforeSplitsTravelledWithItDecodesWithNone(boolean explicitNull) throws Exception {
        ObjectNode tree = (ObjectNode) EventCodec.mapper().readTree(EventCodec.encode(new CheckpointSaved(
                EventMeta.next("training-service", "c"), "m", LINEAGE, 1, Map.of(), true, false)));
        ObjectNode lineage = (ObjectNode) tree.get("lineage");
        if (explicitNull) {
            lineage.putNull("splits");
        } else {
            lineage.remove("splits");
        }
        assertThat(EventCodec.decode(tree.toString(), CheckpointSaved.class).lineage().splits()).isEmpty();
    }

    @Test
    void codeMustSayWhichSplitsALineageHas() {
        assertThatThrownBy(() -> new Lineage("reviews", "team-a", 3, "s3://b/m.json", "run-1", "s3://b/model.zip", "abc", 10,
                null)).hasMessageContaining("lineage.splits");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "[1,2]", "{\"eventId\": 12"})
    void garbageIsAFormatError(String value) {
        assertThatThrownBy(() -> EventCodec.decode(value, ModelPromoted.class))
                .isInstanceOf(EventFormatException.class).hasMessageStartingWith("ModelPromoted");
    }

    @Test
    void aFailedEvaluationNeedsAReasonButNoMetrics() {
        EvaluationCompleted failed = new EvaluationCompleted(EventMeta.next("evaluation-service", "c"), "e1",
                EvaluationCompleted.Status.FAILED, "sha256 mismatch", "m", LINEAGE, null, null, null, null);
        assertThat(EventCodec.decode(EventCodec.encode(failed), EvaluationCompleted.class)).isEqualTo(failed);
        assertThatThrownBy(() -> new EvaluationCompleted(EventMeta.next("evaluation-service", "c"), "e1",
                EvaluationCompleted.Status.FAILED, null, "m", LINEAGE, null, null, null, null))
                .hasMessageContaining("reason");
    }

    @Test
    void everyEventTopicHasADeadLetterTopicPerConsumer() {
        assertThat(Topics.all()).contains("dlq.training-service.datasets.prepared",
                "dlq.registry-service.evaluations.completed", Topics.MODELS_REJECTED);
        assertThat(Topics.all()).doesNotHaveDuplicates();
    }

    @Test
    void labelsIngestIsOneTopicPerTeamWhoseSuffixIsTheTeam() {
        assertThat(Topics.labelsIngest("team-a")).isEqualTo("labels.ingest.team-a");
        assertThat(Topics.teamOfLabelsIngest("labels.ingest.team-a")).contains("team-a");
        assertThat(Topics.teamOfLabelsIngest("labels.ingest")).isEmpty();
        assertThat(Topics.teamOfLabelsIngest("labels.ingest.team-a.more")).isEmpty();
        assertThat(Topics.teamOfLabelsIngest("dlq.dataset-service.labels.ingest")).isEmpty();
        assertThat("labels.ingest.team-b").matches(Topics.LABELS_INGEST_PATTERN);
        assertThat("labels.ingest").doesNotMatch(Topics.LABELS_INGEST_PATTERN);
        assertThat("dlq.dataset-service.labels.ingest").doesNotMatch(Topics.LABELS_INGEST_PATTERN);
        assertThatThrownBy(() -> Topics.labelsIngest("team.a")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Topics.all()).doesNotContain(Topics.LABELS_INGEST).contains("dlq.dataset-service.labels.ingest");
    }
}

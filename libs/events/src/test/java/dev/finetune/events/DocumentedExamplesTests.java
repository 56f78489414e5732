package dev.finetune.events;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every event topic has a documented example, and each one is a valid event of that topic's type. */
class DocumentedExamplesTests {

    @Test
    void everyTopicIsDocumentedWithAValidExample() throws Exception {
        Map<String, String> examples = DocumentedExamples.load();

        assertThat(examples.keySet()).containsExactlyInAnyOrderElementsOf(Topics.EVENTS);
        for (Map.Entry<String, String> example : examples.entrySet()) {
            Object event = EventCodec.decode(example.getValue(), EventTypes.forTopic(example.getKey()));
            // Nothing documented is silently dropped: re-encoding keeps every documented field.
            JsonNode documented = EventCodec.mapper().readTree(example.getValue());
            JsonNode reencoded = EventCodec.mapper().readTree(EventCodec.encode(event));
            documented.fieldNames().forEachRemaining(field ->
                    assertThat(reencoded.has(field)).as(example.getKey() + " field " + field).isTrue());
            // Every documented lineage names the exact splits its checkpoint was trained and is tested on.
            lineageOf(event).ifPresent(lineage -> {
                assertThat(lineage.splits()).as(example.getKey() + " lineage.splits").containsKeys("train", "test");
                assertThat(lineage.splits().values()).as(example.getKey() + " splits of the lineage's version")
                        .allSatisfy(split -> assertThat(split.uri()).contains("/v" + lineage.datasetVersion() + "/"));
            });
            if (event instanceof PlatformEvent platformEvent) {
                assertThat(platformEvent.topic()).isEqualTo(example.getKey());
                assertThat(platformEvent.key()).isNotBlank();
            }
        }
    }

    private static java.util.Optional<Lineage> lineageOf(Object event) {
        Lineage lineage = event instanceof CheckpointSaved e ? e.lineage()
                : event instanceof TrainingCompleted e ? e.best()
                : event instanceof EvaluationCompleted e ? e.lineage()
                : event instanceof ModelPromoted e ? e.lineage()
                : event instanceof ModelRejected e ? e.lineage()
                : null;
        return java.util.Optional.ofNullable(lineage);
    }
}

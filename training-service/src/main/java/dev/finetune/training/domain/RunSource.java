package dev.finetune.training.domain;

import dev.finetune.events.DatasetPrepared;
import java.util.UUID;

/**
 * What a run trains on: a data set version (named by its data set, number and content checksum: a data set
 * created again under the same name has a v1 of its own) and its splits, and the event (if any) that asked for it.
 */
public record RunSource(String dataset, int version, String contentSha256, String manifestUri, String trainUri, String validationUri,
        String modelName, String correlationId, UUID sourceEventId) {

    /** The model is named after the data set: one registered model per data set by default. */
    public static RunSource of(DatasetPrepared event) {
        DatasetPrepared.SplitRef train = event.splits().get("train");
        if (train == null || train.examples() == 0) {
            throw new IllegalArgumentException("data set " + event.dataset() + " v" + event.version()
                    + " has no training examples (splits " + event.splits().keySet() + ")");
        }
        DatasetPrepared.SplitRef validation = event.splits().get("validation");
        return new RunSource(event.dataset(), event.version(), event.contentSha256(), event.manifestUri(), train.uri(),
                validation == null || validation.examples() == 0 ? null : validation.uri(), event.dataset(),
                event.correlationId(), event.eventId());
    }
}

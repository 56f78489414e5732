package dev.finetune.training.domain;

import dev.finetune.events.DatasetPrepared;
import java.util.Map;
import java.util.UUID;

/**
 * What a run trains on: a data set version (named by its data set, number and content checksum: a data set
 * created again under the same name has a v1 of its own), its splits as {@code datasets.prepared} announced them
 * (URI, sha256, examples), and the event (if any) that asked for it. The splits travel with the run into every
 * lineage it emits, and the train and validation splits' sha256 are verified before it trains.
 *
 * @param team the team that owns the data set (from {@code datasets.prepared}), and so the run and its models
 */
public record RunSource(String dataset, String team, int version, String contentSha256, String manifestUri,
        Map<String, DatasetPrepared.SplitRef> splits, String modelName, String correlationId, UUID sourceEventId) {

    public RunSource {
        DatasetPrepared.SplitRef train = splits.get("train");
        if (train == null || train.examples() == 0) {
            throw new IllegalArgumentException("data set " + dataset + " v" + version
                    + " has no training examples (splits " + splits.keySet() + ")");
        }
        splits = Map.copyOf(splits);
    }

    /** The model is named after the data set: one registered model per data set by default. */
    public static RunSource of(DatasetPrepared event) {
        return new RunSource(event.dataset(), event.team(), event.version(), event.contentSha256(), event.manifestUri(),
                event.splits(), event.dataset(), event.correlationId(), event.eventId());
    }

    /** The same data set version for another run, asked for by someone else. */
    public RunSource withRequester(String correlationId, UUID sourceEventId) {
        return new RunSource(dataset, team, version, contentSha256, manifestUri, splits, modelName, correlationId,
                sourceEventId);
    }

    public DatasetPrepared.SplitRef train() {
        return splits.get("train");
    }

    /** The split validated on after each epoch; null when the version has none, or an empty one. */
    public DatasetPrepared.SplitRef validation() {
        DatasetPrepared.SplitRef validation = splits.get("validation");
        return validation == null || validation.examples() == 0 ? null : validation;
    }
}

package dev.finetune.events;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.util.Map;

/**
 * Where a checkpoint comes from: the data set version it was trained on, the exact splits of that version (as
 * {@code datasets.prepared} announced them: URI, sha256, examples) and the run that made it. Carried by every
 * event downstream of training so a promoted model can be traced back to the very data it was trained, validated
 * and tested on; evaluation-service reads the test split from here and nowhere else.
 *
 * @param team the team that owns the data set, and so the model trained from it
 * @param datasetManifestUri manifest of the data set version (its statistics and provenance, for people)
 * @param checkpointUri {@code s3://} URI of the model package
 * @param checkpointSha256 sha256 of the model package's bytes, to verify what was downloaded
 * @param splits the data set version's splits by name ({@code train}, {@code validation}, {@code test}); training
 *        always writes them. An event produced before lineages carried them decodes with none (an empty map):
 *        such a lineage names no test split, and evaluation-service fails its candidate saying so
 */
public record Lineage(String dataset, String team, int datasetVersion, String datasetManifestUri, String runId,
                      String checkpointUri, String checkpointSha256, int step,
                      @JsonSetter(nulls = Nulls.AS_EMPTY) Map<String, DatasetPrepared.SplitRef> splits) {

    public Lineage {
        Require.present(dataset, "lineage.dataset");
        Require.present(team, "lineage.team");
        Require.positive(datasetVersion, "lineage.datasetVersion");
        Require.present(datasetManifestUri, "lineage.datasetManifestUri");
        Require.present(runId, "lineage.runId");
        Require.present(checkpointUri, "lineage.checkpointUri");
        Require.present(checkpointSha256, "lineage.checkpointSha256");
        // Absent only when decoding an older event (Jackson then passes an empty map); code must say what it has.
        splits = Map.copyOf(Require.present(splits, "lineage.splits"));
    }
}

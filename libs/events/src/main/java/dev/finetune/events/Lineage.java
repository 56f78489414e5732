package dev.finetune.events;

/**
 * Where a checkpoint comes from: the data set version it was trained on and the run that made it.
 * Carried by every event downstream of training so a promoted model can be traced back to its data.
 *
 * @param datasetManifestUri manifest of the data set version, which names its test split
 * @param checkpointUri {@code s3://} URI of the model package
 * @param checkpointSha256 sha256 of the model package's bytes, to verify what was downloaded
 */
public record Lineage(String dataset, int datasetVersion, String datasetManifestUri, String runId,
                      String checkpointUri, String checkpointSha256, int step) {

    public Lineage {
        Require.present(dataset, "lineage.dataset");
        Require.positive(datasetVersion, "lineage.datasetVersion");
        Require.present(datasetManifestUri, "lineage.datasetManifestUri");
        Require.present(runId, "lineage.runId");
        Require.present(checkpointUri, "lineage.checkpointUri");
        Require.present(checkpointSha256, "lineage.checkpointSha256");
    }
}

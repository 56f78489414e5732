package dev.finetune.dataset.preparation;

import dev.finetune.dataset.split.Split;

/** Where a version's objects live in the bucket: {@code datasets/{name}/v{n}/...}. */
public final class ArtifactLayout {

    private ArtifactLayout() {
    }

    public static String datasetPrefix(String dataset) {
        return "datasets/" + dataset + "/";
    }

    public static String versionPrefix(String dataset, int version) {
        return datasetPrefix(dataset) + "v" + version + "/";
    }

    public static String split(String dataset, int version, Split split) {
        return versionPrefix(dataset, version) + split.code() + ".jsonl.gz";
    }

    public static String quarantine(String dataset, int version) {
        return versionPrefix(dataset, version) + "quarantine.jsonl.gz";
    }

    public static String manifest(String dataset, int version) {
        return versionPrefix(dataset, version) + "manifest.json";
    }
}

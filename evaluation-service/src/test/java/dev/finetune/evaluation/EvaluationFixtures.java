package dev.finetune.evaluation;

import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Lineage;
import dev.finetune.events.ModelPromoted;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.ml.train.FineTuner;
import dev.finetune.ml.train.Strategy;
import dev.finetune.ml.train.TrainingConfig;
import dev.finetune.ml.train.TrainingListener;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.ObjectUri;
import dev.finetune.storage.StoredObject;
import dev.finetune.testing.FinetuneRealm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * A tiny labelled data set, two small models trained on it with the head strategy (seconds), and the objects and
 * events that dataset-service, training-service and registry-service would have produced for them.
 */
public final class EvaluationFixtures {

    public static final List<String> LABELS = List.of("food", "sports", "weather");
    private static final Map<String, List<String>> WORDS = Map.of(
            "sports", List.of("goal", "match", "striker", "referee", "league", "coach", "stadium", "team"),
            "weather", List.of("rain", "storm", "sunny", "forecast", "wind", "cloudy", "snow", "temperature"),
            "food", List.of("recipe", "pasta", "delicious", "chef", "dinner", "soup", "bread", "flavour"));

    private static byte[] candidate;
    private static byte[] champion;
    private static byte[] twoLabels;

    private EvaluationFixtures() {
    }

    /** Examples of three labels and three lengths (short, medium, long with the default thresholds). */
    public static List<Example> examples(int count, long seed) {
        Random random = new Random(seed);
        List<Example> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String label = LABELS.get(i % LABELS.size());
            List<String> words = WORDS.get(label);
            StringBuilder text = new StringBuilder("the " + words.get(random.nextInt(words.size())) + " and the "
                    + words.get(random.nextInt(words.size())));
            int extra = (i / LABELS.size()) % 3 == 0 ? 0 : (i / LABELS.size()) % 3 == 1 ? 6 : 40;
            for (int w = 0; w < extra; w++) {
                text.append(' ').append(words.get(random.nextInt(words.size())));
            }
            rows.add(new Example(text.append(" today").toString(), label));
        }
        return rows;
    }

    public static List<Example> test() {
        return examples(30, 3);
    }

    /** The candidate: five epochs of the head strategy on 36 examples. */
    public static synchronized byte[] candidatePackage() {
        if (candidate == null) {
            candidate = train(examples(36, 1), 5, 42);
        }
        return candidate;
    }

    /** A weaker production model: one epoch on 9 examples. */
    public static synchronized byte[] championPackage() {
        if (champion == null) {
            champion = train(examples(9, 11), 1, 7);
        }
        return champion;
    }

    /**
     * A production model from before the data set gained the label "weather": it knows only food and sports, so
     * it cannot be given a probability for every label of the test split.
     */
    public static synchronized byte[] twoLabelPackage() {
        if (twoLabels == null) {
            twoLabels = train(without("weather", examples(24, 5)), without("weather", examples(9, 2)), 3, 13);
        }
        return twoLabels;
    }

    private static List<Example> without(String label, List<Example> examples) {
        return examples.stream().filter(e -> !e.label().equals(label)).toList();
    }

    private static byte[] train(List<Example> train, int epochs, long seed) {
        return train(train, examples(9, 2), epochs, seed);
    }

    private static byte[] train(List<Example> train, List<Example> validation, int epochs, long seed) {
        TrainingConfig config = TrainingConfig.defaults().withStrategy(Strategy.HEAD).withEpochs(epochs)
                .withMaxLength(16).withBatchSize(8).withSeed(seed).withEarlyStoppingPatience(0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            FineTuner.train(BaseModel.minilm(), config, train, validation, TrainingListener.NONE).bestPackage()
                    .writeTo(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static ModelPackage read(byte[] bytes) {
        try {
            return ModelPackage.readFrom(new java.io.ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A data set version as training-service's lineage names it: its manifest's URI (nothing is stored there:
     * evaluation must not need it) and its splits with their sha256.
     */
    public record StoredDataset(String manifestUri, Map<String, DatasetPrepared.SplitRef> splits) {

        public String testSha256() {
            return splits.get("test").sha256();
        }
    }

    /**
     * Stores the test split where dataset-service would; each row carries the data set's name as its source, so
     * every test's split has its own checksum (evaluations are unique on it).
     */
    public static StoredDataset storeDataset(ArtifactStore store, String dataset) {
        return storeDataset(store, dataset, "datasets/" + dataset + "/v1/test.jsonl.gz", test());
    }

    /** Stores {@code examples} as the test split under {@code key}, wherever that is. */
    public static StoredDataset storeDataset(ArtifactStore store, String dataset, String key, List<Example> examples) {
        StoredObject test = store.put(key, gzip(examples, dataset), "application/gzip");
        return new StoredDataset(new ObjectUri(test.uri().bucket(), "datasets/" + dataset + "/v1/manifest.json").toString(),
                Map.of("test", new DatasetPrepared.SplitRef(test.uri().toString(), test.sha256(), examples.size())));
    }

    public static CheckpointSaved checkpoint(String model, StoredDataset dataset, String runId, StoredObject checkpoint,
                                             int step, boolean best, boolean last) {
        return new CheckpointSaved(EventMeta.next("training-service", model + "-v1"), model,
                new Lineage(model, FinetuneRealm.TEAM_A, 1, dataset.manifestUri(), runId, checkpoint.uri().toString(), checkpoint.sha256(),
                        step, dataset.splits()),
                1, Map.of("accuracy", 0.9), best, last);
    }

    public static ModelPromoted promoted(String model, int version, StoredDataset dataset, StoredObject modelPackage) {
        return promoted(model, version, null, ModelPromoted.Trigger.MANUAL, dataset, modelPackage);
    }

    /**
     * A move of production as registry-service announces it; a rollback names the version it returns to, with
     * that version's package, and the version it left as {@code previousVersion} (docs/registry-service.md).
     */
    public static ModelPromoted promoted(String model, int version, Integer previousVersion,
                                         ModelPromoted.Trigger trigger, StoredDataset dataset, StoredObject modelPackage) {
        return new ModelPromoted(EventMeta.next("registry-service", model + "-v" + version), model, version,
                modelPackage.uri().toString(), modelPackage.sha256(), Map.of(), previousVersion, trigger,
                "test champion (" + trigger + ")", List.of(), new Lineage(model, FinetuneRealm.TEAM_A, 1, dataset.manifestUri(), "run-champion",
                modelPackage.uri().toString(), modelPackage.sha256(), 1, dataset.splits()));
    }

    private static byte[] gzip(List<Example> examples, String source) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            for (Example e : examples) {
                String line = dev.finetune.events.EventCodec.encode(Map.of("text", e.text(), "label", e.label(), "sourceId", source)) + "\n";
                out.write(line.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}

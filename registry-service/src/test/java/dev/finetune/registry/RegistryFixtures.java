package dev.finetune.registry;

import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Lineage;
import dev.finetune.ml.BaseModel;
import dev.finetune.ml.data.Example;
import dev.finetune.ml.packaging.ModelPackage;
import dev.finetune.ml.train.FineTuner;
import dev.finetune.ml.train.Strategy;
import dev.finetune.ml.train.TrainingConfig;
import dev.finetune.ml.train.TrainingListener;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StoredObject;
import dev.finetune.testing.FinetuneRealm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the serving integration tests start from: real model packages, trained once per test run (the head strategy
 * takes seconds), and the evaluations that register them.
 */
final class RegistryFixtures {

    static final List<String> LABELS = List.of("food", "sports", "weather");
    private static StoredObject[] packages;

    /** Passes every absolute rule of the default policy. */
    static final Map<String, Double> GOOD = Map.of("accuracy", 0.95, "macroF1", 0.94, "ece", 0.05,
            "latencyP95Ms", 12.0);

    private RegistryFixtures() {
    }

    /**
     * A succeeded evaluation of team-a's {@code model} with the package at {@code uri}, registered with {@code sha256}.
     * Without a champion comparison, a model that has a production version already rejects it (champion-current).
     */
    static EvaluationCompleted evaluation(String model, String uri, String sha256,
            EvaluationCompleted.ChampionComparison champion) {
        String run = UUID.randomUUID().toString();
        String prefix = "s3://finetune/datasets/" + run + "/v1/";
        return new EvaluationCompleted(EventMeta.next("evaluation-service", model), UUID.randomUUID().toString(),
                EvaluationCompleted.Status.SUCCEEDED, null, model,
                new Lineage(model, FinetuneRealm.TEAM_A, 1, prefix + "manifest.json", run, uri, sha256, 12,
                        Map.of("test", new DatasetPrepared.SplitRef(prefix + "test.jsonl.gz", "9b".repeat(32), 30))),
                GOOD, Map.of("food", 0.95, "sports", 0.94, "weather", 0.93), champion,
                "s3://finetune/reports/" + run + "/ckpt-12/report.json");
    }

    /** A comparison with {@code championVersion} that passes every relative rule of the default policy. */
    static EvaluationCompleted.ChampionComparison betterThan(int championVersion) {
        return new EvaluationCompleted.ChampionComparison(championVersion, Map.of("accuracy", 0.02, "macroF1", 0.02),
                0.01, 0.03, 0.001);
    }

    /** Three packages, of seeds 1, 2 and 3, stored under models/registry-it/. */
    static synchronized StoredObject[] packages(ArtifactStore store) {
        if (packages == null) {
            packages = new StoredObject[] {trainAndStore(store, 1), trainAndStore(store, 2), trainAndStore(store, 3)};
        }
        return packages;
    }

    private static StoredObject trainAndStore(ArtifactStore store, long seed) {
        List<Example> train = new ArrayList<>();
        String[][] words = {{"recipe", "pasta", "dinner", "soup"}, {"goal", "match", "striker", "team"},
                {"rain", "storm", "sunny", "wind"}};
        for (int i = 0; i < 24; i++) {
            int label = i % 3;
            train.add(new Example("the " + words[label][i % 4] + " and the " + words[label][(i + 1) % 4], LABELS.get(label)));
        }
        TrainingConfig config = TrainingConfig.defaults().withStrategy(Strategy.HEAD).withEpochs(3).withBatchSize(8)
                .withMaxLength(16).withSeed(seed).withEarlyStoppingPatience(0);
        ModelPackage modelPackage = FineTuner.train(BaseModel.minilm(), config, train, List.of(), TrainingListener.NONE)
                .bestPackage();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            modelPackage.writeTo(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return store.put("models/registry-it/" + seed + "/model.zip", bytes.toByteArray(), "application/zip");
    }
}

package dev.finetune.training;

import static org.awaitility.Awaitility.await;

import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Topics;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.storage.StoredObject;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.TopicSnapshot;
import dev.finetune.training.messaging.ProgressConsumer;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** A tiny labelled data set the tests generate, stored as dataset-service stores splits, and what the runs wrote. */
public final class TrainingFixtures {

    private static final Map<String, List<String>> WORDS = Map.of(
            "sports", List.of("goal", "match", "striker", "referee", "league", "coach", "stadium", "team"),
            "weather", List.of("rain", "storm", "sunny", "forecast", "wind", "cloudy", "snow", "temperature"),
            "food", List.of("recipe", "pasta", "delicious", "chef", "dinner", "soup", "bread", "flavour"));

    private TrainingFixtures() {
    }

    public static List<String> examples(int count, long seed) {
        Random random = new Random(seed);
        List<String> labels = List.copyOf(new java.util.TreeSet<>(WORDS.keySet()));
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String label = labels.get(i % labels.size());
            List<String> words = WORDS.get(label);
            String text = "the " + words.get(random.nextInt(words.size())) + " and the "
                    + words.get(random.nextInt(words.size())) + " today";
            rows.add("{\"text\":\"" + text + "\",\"label\":\"" + label + "\"}");
        }
        return rows;
    }

    /** Stores train and validation splits for {@code dataset} v1 and returns the event announcing them. */
    public static DatasetPrepared prepared(ArtifactStore store, String dataset, int trainExamples) {
        StoredObject train = store.put("datasets/" + dataset + "/v1/train.jsonl.gz", gzip(examples(trainExamples, 1)),
                "application/gzip");
        StoredObject validation = store.put("datasets/" + dataset + "/v1/validation.jsonl.gz", gzip(examples(12, 2)),
                "application/gzip");
        return new DatasetPrepared(EventMeta.next("dataset-service", dataset + "-v1"), dataset, FinetuneRealm.TEAM_A, 1,
                "s3://finetune/datasets/" + dataset + "/v1/manifest.json",
                Map.of("train", new DatasetPrepared.SplitRef(train.uri().toString(), train.sha256(), trainExamples),
                        "validation", new DatasetPrepared.SplitRef(validation.uri().toString(), validation.sha256(), 12)),
                List.of("food", "sports", "weather"), train.sha256());
    }

    /**
     * An event for {@code dataset} v{@code version} whose splits were never stored: its run fails at once
     * (a missing object is not retried), which makes it the cheapest run there is.
     */
    public static DatasetPrepared unstored(String dataset, int version) {
        return unstored(dataset, version, "0".repeat(64));
    }

    /** As {@link #unstored(String, int)}, for a version whose content has the checksum {@code contentSha256}. */
    public static DatasetPrepared unstored(String dataset, int version, String contentSha256) {
        String prefix = "s3://finetune/datasets/" + dataset + "/v" + version + "/";
        String sha = contentSha256;
        return new DatasetPrepared(EventMeta.next("dataset-service", dataset + "-v" + version), dataset, FinetuneRealm.TEAM_A, version,
                prefix + "manifest.json", Map.of("train", new DatasetPrepared.SplitRef(prefix + "train.jsonl.gz", sha, 24)),
                List.of("food", "sports", "weather"), sha);
    }

    /**
     * Every record keyed by {@code runId} on {@code topic} written before the call, oldest first (one key, one
     * partition: its offsets order them). A snapshot, not a timed consume: "none" means none.
     */
    public static List<ConsumerRecord<String, String>> recordsOf(String bootstrapServers, String topic, UUID runId) {
        return TopicSnapshot.read(bootstrapServers, topic).stream()
                .filter(r -> runId.toString().equals(r.key()))
                .sorted(Comparator.comparingLong(ConsumerRecord::offset))
                .toList();
    }

    /**
     * Waits until this instance's progress-stream consumers have their partitions and positions: they start at the
     * latest offset, so a record sent before would never reach a stream.
     */
    public static void awaitListening(KafkaClientService clients) {
        for (String channel : ProgressConsumer.CHANNELS) {
            await().atMost(Duration.ofSeconds(60)).until(() -> clients.getConsumer(channel).getPositions()
                    .await().atMost(Duration.ofSeconds(10)).size() == Topics.DEFAULT_PARTITIONS);
        }
    }

    /** JSON lines gzipped, as dataset-service stores a split. */
    public static byte[] gzip(List<String> lines) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}

package dev.finetune.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Topics;
import io.agroal.api.AgroalDataSource;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Shared helpers of the integration tests: data, the event of a data set, database counts. */
public final class Fixtures {

    private Fixtures() {
    }

    public static String name(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** JSON Lines "review i" for i in [from, to), labelled positive and negative alternately. */
    public static String jsonl(int from, int to) {
        return IntStream.range(from, to).mapToObj(Fixtures::row).collect(Collectors.joining("\n", "", "\n"));
    }

    public static String row(int i) {
        return "{\"text\":\"review number " + i + "\",\"label\":\"" + label(i) + "\"}";
    }

    public static String label(int i) {
        return i % 2 == 0 ? "positive" : "negative";
    }

    public static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Examples of a gzipped split as text -> label, in file order. */
    public static Map<String, String> examples(byte[] gzipped) {
        Map<String, String> out = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gzipped))) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    Map<?, ?> m = EventCodec.mapper().readValue(line, Map.class);
                    out.put((String) m.get("text"), (String) m.get("label"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The first datasets.prepared event keyed by the data set. */
    public static DatasetPrepared firstEvent(String bootstrapServers, String dataset) {
        return EventCodec.decode(firstRecord(bootstrapServers, dataset).value(), DatasetPrepared.class);
    }

    /** The first datasets.prepared record keyed by the data set, headers and all. */
    public static ConsumerRecord<String, String> firstRecord(String bootstrapServers, String dataset) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            return kafka.consumeStrings()
                    .fromTopics(Topics.DATASETS_PREPARED,
                            all -> all.select().where(r -> dataset.equals(r.key())).select().first())
                    .awaitCompletion(Duration.ofSeconds(60)).getFirstRecord();
        }
    }

    /** Every datasets.prepared event keyed by one of {@code datasets} within {@code window}. */
    public static List<String> eventsFor(String bootstrapServers, List<String> datasets, Duration window) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            List<String> keys = new ArrayList<>();
            kafka.consumeStrings().fromTopics(Topics.DATASETS_PREPARED, window).awaitCompletion(window.plusSeconds(30))
                    .getRecords().stream().map(ConsumerRecord::key).filter(datasets::contains).forEach(keys::add);
            return keys;
        }
    }

    public static long count(AgroalDataSource db, String sql, Object... params) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Rows the data set has anywhere in the service's schema, events in the outbox included. */
    public static void assertNoRows(AgroalDataSource db, String dataset) {
        assertThat(count(db, "SELECT count(*) FROM dataset WHERE name = ?", dataset)).as("dataset rows").isZero();
        assertThat(count(db, "SELECT count(*) FROM dataset_version WHERE dataset = ?", dataset)).as("versions").isZero();
        assertThat(count(db, "SELECT count(*) FROM outbox WHERE record_key = ?", dataset)).as("events").isZero();
        assertThat(count(db, "SELECT count(*) FROM pending_example WHERE dataset = ?", dataset)).as("pending").isZero();
    }
}

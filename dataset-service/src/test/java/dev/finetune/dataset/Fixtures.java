package dev.finetune.dataset;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Topics;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.TestTokens;
import dev.finetune.testing.TopicSnapshot;
import io.agroal.api.AgroalDataSource;
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

/**
 * Shared helpers of the integration tests: data, the {@code datasets.prepared} records of a data set (read
 * with {@link TopicSnapshot}, so "none" and "exactly N" mean every record on the topic), database rows.
 */
public final class Fixtures {

    /** Team-a's labels topic: the tests' data sets are team-a's, and take records from it only. */
    public static final String LABELS = Topics.labelsIngest(FinetuneRealm.TEAM_A);

    private Fixtures() {
    }

    /**
     * Creates data set {@code name} for team-a with the default trigger, as a contributor would before streaming
     * its labels: records on labels.ingest.team-a never create a data set.
     */
    public static void createDataset(String name) {
        given().auth().oauth2(TestTokens.teamA())
                .contentType("application/json").body("{}").put("/datasets/{name}/trigger", name)
                .then().statusCode(200);
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

    /**
     * How long a "no more" or "none" check of {@code datasets.prepared} watches the topic: more than two rounds
     * of the outbox relay ({@code %test.outbox.sweep-interval=2s}), so an event committed before the
     * check, or one sent a second time by a later round, is on the topic before the check ends.
     */
    public static final Duration RELAY_QUIET = Duration.ofSeconds(5);

    /** The first datasets.prepared event keyed by the data set, once there is one. */
    public static DatasetPrepared firstEvent(String bootstrapServers, String dataset) {
        return EventCodec.decode(firstRecord(bootstrapServers, dataset).value(), DatasetPrepared.class);
    }

    /** The first datasets.prepared record keyed by the data set, headers and all, once there is one. */
    public static ConsumerRecord<String, String> firstRecord(String bootstrapServers, String dataset) {
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            found.clear();
            found.addAll(preparedRecords(bootstrapServers, dataset));
            assertThat(found).as("datasets.prepared records keyed " + dataset).isNotEmpty();
        });
        return found.get(0);
    }

    /** Every datasets.prepared record keyed by the data set, read to the end offsets taken now. */
    public static List<ConsumerRecord<String, String>> preparedRecords(String bootstrapServers, String dataset) {
        return TopicSnapshot.read(bootstrapServers, Topics.DATASETS_PREPARED).stream()
                .filter(r -> dataset.equals(r.key())).toList();
    }

    /** Every datasets.prepared event keyed by the data set, decoded, read to the end offsets taken now. */
    public static List<DatasetPrepared> preparedEvents(String bootstrapServers, String dataset) {
        return preparedRecords(bootstrapServers, dataset).stream()
                .map(r -> EventCodec.decode(r.value(), DatasetPrepared.class)).toList();
    }

    /**
     * Exactly {@code count} datasets.prepared events keyed by the data set: waits for them to arrive, then
     * watches the topic for {@link #RELAY_QUIET} so that one sent twice (by the same round or a later one) is
     * seen. Every record counts, whatever its event id: a consumer sees a duplicate as a second record.
     */
    public static List<DatasetPrepared> exactlyPrepared(String bootstrapServers, String dataset, int count) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(preparedRecords(bootstrapServers, dataset)).as("datasets.prepared records keyed " + dataset)
                        .hasSizeGreaterThanOrEqualTo(count));
        await().during(RELAY_QUIET).atMost(RELAY_QUIET.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(preparedRecords(bootstrapServers, dataset))
                        .as("datasets.prepared records keyed " + dataset + " (values)")
                        .extracting(ConsumerRecord::value).hasSize(count));
        return preparedEvents(bootstrapServers, dataset);
    }

    /** No datasets.prepared record keyed by any of {@code datasets}, for as long as {@link #RELAY_QUIET}. */
    public static void assertNothingPrepared(String bootstrapServers, List<String> datasets) {
        await().during(RELAY_QUIET).atMost(RELAY_QUIET.plusSeconds(10)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(TopicSnapshot.read(bootstrapServers, Topics.DATASETS_PREPARED))
                        .as("datasets.prepared records keyed " + datasets)
                        .extracting(ConsumerRecord::key).doesNotContainAnyElementsOf(datasets));
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

    /**
     * Rows that mention the data set in any table of the service's schema (bar Flyway's history): every
     * column of every row, as PostgreSQL writes the row as text, searched for the name. Names in the tests are
     * random ({@link #name}), so a hit is that data set's row, whatever the table (outbox, pending, versions,
     * a table added later).
     */
    public static Map<String, Long> rowsMentioning(AgroalDataSource db, String dataset) {
        Map<String, Long> found = new LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            List<String> tables = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT table_name FROM information_schema.tables
                    WHERE table_schema = 'dataset' AND table_type = 'BASE TABLE'
                      AND table_name <> 'flyway_schema_history' ORDER BY table_name""");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertThat(tables).as("tables of the dataset schema").contains("dataset", "dataset_version",
                    "pending_example");
            for (String table : tables) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM dataset.\"" + table + "\" AS r WHERE strpos(r::text, ?) > 0")) {
                    ps.setString(1, dataset);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            found.put(table, rs.getLong(1));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("searching the dataset schema for " + dataset, e);
        }
        return found;
    }

    /** The data set has no row in any table of the service's schema. */
    public static void assertNoRows(AgroalDataSource db, String dataset) {
        assertThat(rowsMentioning(db, dataset)).as("rows of data set " + dataset + " by table").isEmpty();
    }
}

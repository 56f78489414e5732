package dev.finetune.dataset.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.finetune.dataset.Fixtures;
import dev.finetune.dataset.domain.PendingExamples;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.LabelRecord;
import dev.finetune.events.Topics;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.support.metrics.ConsumerMetrics;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.testing.TestTrace;
import dev.finetune.testing.TopicSnapshot;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Labels streaming in on a team's {@code labels.ingest.<team>} through the real broker: records wait until a trigger fires
 * (N records, M records and T elapsed, or {@code POST /prepare}), then become one version with its objects
 * and one event, in the trace of the newest record; before T there is no version and no event; a build that
 * fails is tried again once M more records arrived; a poison record is dead-lettered with its reason and the
 * consumer keeps going; a record on another team's topic is dead-lettered {@code team-forbidden}; a team's topic
 * created while the service runs is consumed within seconds.
 */
@QuarkusTest
@WithTestResource(value = KafkaTestResource.class)
@WithTestResource(value = S3TestResource.class)
@WithTestResource(value = PostgresTestResource.class)
class LabelIngestIT {

    private static final String DLQ = Topics.deadLetter(Topics.LABELS_INGEST, "dataset-service");

    @Inject
    ArtifactStore store;

    @Inject
    AgroalDataSource db;

    @Inject
    PendingExamples pending;

    @Inject
    MeterRegistry metrics;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void recordsBecomeAVersionWhenNHaveArrived() {
        String name = Fixtures.name("stream");
        setTrigger(name, 20, 1000, "PT1H");
        produce(name, 0, 19, TestTrace.random());
        awaitPending(name, 19);
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions", name).then().statusCode(200).body("size()", equalTo(0));

        TestTrace last = TestTrace.random();
        produce(name, 19, 20, last);
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().body("latestVersion", equalTo(1))
                        .body("pending", equalTo(0)));
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions/1", name).then().statusCode(200)
                .body("source", equalTo("labels.ingest"))
                .body("examples", equalTo(20))
                .body("lineage.kafka.records.sum()", equalTo(20));
        // One version, announced once: a single record on the topic for the data set.
        DatasetPrepared event = Fixtures.exactlyPrepared(bootstrapServers, name, 1).get(0);
        ConsumerRecord<String, String> record = Fixtures.firstRecord(bootstrapServers, name);
        assertThat(event.version()).isEqualTo(1);
        assertThat(event.splits().values().stream().mapToInt(DatasetPrepared.SplitRef::examples).sum()).isEqualTo(20);
        // The version continues the trace of the record that completed it.
        assertThat(TestTrace.traceIdOf(record)).isEqualTo(last.traceId());
        assertThat(store.list("datasets/" + name + "/v1/")).hasSize(5);
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions", name).then().body("version", equalTo(List.of(1)));
    }

    @Test
    void mRecordsBecomeAVersionOnceTheOldestWaitedT() {
        String name = Fixtures.name("trickle");
        Duration t = Duration.ofSeconds(10);
        setTrigger(name, 1000, 6, "PT10S");
        TestTrace trace = TestTrace.random();
        // Every record arrives after this instant, so no version may be cut before notBefore.
        Instant notBefore = Instant.now().plus(t);
        produce(name, 0, 6, trace);
        awaitPending(name, 6);

        // Before T: M records are pending, yet no version and no event (the trigger is checked every second).
        // Watched up to just before T, each look starting when the previous one ended (an HTTP call and a
        // read of the topic): the window is fixed by the clock, not by how long the looks take.
        int looks = 0;
        while (Instant.now().isBefore(notBefore.minusSeconds(1))) {
            given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(200)
                    .body("versions", equalTo(0)).body("pending", equalTo(6));
            assertThat(Fixtures.preparedRecords(bootstrapServers, name)).as("datasets.prepared before T").isEmpty();
            looks++;
        }
        assertThat(looks).as("looks before T (records took too long to arrive to watch the wait)")
                .isGreaterThanOrEqualTo(2);

        // After T: the version, made no earlier than T after the first record, and its one event.
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().body("latestVersion", equalTo(1))
                        .body("pending", equalTo(0)));
        Instant createdAt = Instant.parse(given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions/1", name).then()
                .statusCode(200).body("examples", equalTo(6)).extract().<String>path("createdAt"));
        assertThat(createdAt).as("version 1 made at").isAfterOrEqualTo(notBefore);
        assertThat(Fixtures.exactlyPrepared(bootstrapServers, name, 1)).extracting(DatasetPrepared::version)
                .containsExactly(1);
        ConsumerRecord<String, String> record = Fixtures.firstRecord(bootstrapServers, name);
        // Cut by the timer, with no record being consumed: the trace comes from the newest pending row.
        assertThat(TestTrace.traceIdOf(record)).isEqualTo(trace.traceId());
    }

    @Test
    void aStreamedBuildThatFailsIsTriedAgainOnceMMoreRecordsHaveArrived() {
        String name = Fixtures.name("retried");
        setTrigger(name, 4, 4, "PT1H");
        // Four records of one label: N is reached, the build fails (one label) and the records stay pending.
        produceLabelled(name, 0, 4, "positive");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(200)
                        .body("pending", equalTo(4))
                        .body("lastFailure", startsWith("single-label: ")));
        assertThat(store.list("datasets/" + name + "/")).as("objects of the failed build").isEmpty();

        // Three more (fewer than M), now with a second label: the data would pass, but the trigger waits for M
        // more records than it failed on, so nothing is built yet (each arrival and each 1 s sweep checks).
        produceLabelled(name, 4, 7, "negative");
        awaitPending(name, 7);
        await().during(Fixtures.RELAY_QUIET).atMost(Fixtures.RELAY_QUIET.plusSeconds(10))
                .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(200)
                            .body("versions", equalTo(0)).body("pending", equalTo(7))
                            .body("lastFailure", startsWith("single-label: "));
                    assertThat(Fixtures.preparedRecords(bootstrapServers, name)).isEmpty();
                });

        // The fourth (M = 4 more than at the failure): the trigger tries again and the version holds all eight.
        produceLabelled(name, 7, 8, "negative");
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(200)
                        .body("latestVersion", equalTo(1)).body("pending", equalTo(0))
                        .body("lastFailure", nullValue()));
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}/versions/1", name).then().statusCode(200)
                .body("examples", equalTo(8))
                .body("perLabel.positive", equalTo(4))
                .body("perLabel.negative", equalTo(4));
        assertThat(store.list("datasets/" + name + "/")).hasSize(5);
        assertThat(Fixtures.exactlyPrepared(bootstrapServers, name, 1)).extracting(DatasetPrepared::version)
                .containsExactly(1);
    }

    @Test
    void prepareCutsAVersionFromWhateverIsPending() {
        String name = Fixtures.name("manual");
        Fixtures.createDataset(name);
        produce(name, 0, 8);
        awaitPending(name, 8);
        given().auth().oauth2(TestTokens.teamA()).when().post("/datasets/{name}/prepare", name).then().statusCode(201)
                .body("version", equalTo(1)).body("examples", equalTo(8));
        given().auth().oauth2(TestTokens.teamA()).when().post("/datasets/{name}/prepare", name).then().statusCode(409)
                .contentType("application/problem+json")
                .body("type", equalTo("https://finetune.dev/problems/nothing-pending"));
        assertThat(Fixtures.exactlyPrepared(bootstrapServers, name, 1)).extracting(DatasetPrepared::version)
                .containsExactly(1);
    }

    @Test
    void aPoisonRecordIsDeadLetteredWithItsReasonAndTheConsumerKeepsGoing() {
        String name = Fixtures.name("poison");
        Fixtures.createDataset(name);
        String poison = "{\"text\": \"no label here\"";
        double processedBefore = records("processed");
        double deadLetteredBefore = records("dead_lettered");
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(
                    new ProducerRecord<>(Fixtures.LABELS, name, poison),
                    new ProducerRecord<>(Fixtures.LABELS, name, "{\"text\": \"t\", \"sourceId\": \"s-1\"}"),
                    new ProducerRecord<>(Fixtures.LABELS, name, "{\"text\": \"fine\", \"label\": \"ok\"}"))
                    .awaitCompletion();
        }
        // Exactly the two bad records, each once, with their reasons: every record of the DLQ topic is read.
        List<ConsumerRecord<String, String>> dead = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            dead.clear();
            TopicSnapshot.read(bootstrapServers, DLQ).stream().filter(r -> name.equals(r.key())).forEach(dead::add);
            assertThat(dead).extracting(ConsumerRecord::value)
                    .containsExactly(poison, "{\"text\": \"t\", \"sourceId\": \"s-1\"}");
        });
        assertThat(reason(dead.get(0))).contains("LabelRecord").contains("not valid JSON");
        assertThat(reason(dead.get(1))).isEqualTo("LabelRecord: missing required field 'label'");
        awaitPending(name, 1); // the record after the poison ones was accepted
        assertThat(Fixtures.count(db, "SELECT count(*) FROM pending_example WHERE dataset = ?", name)).isEqualTo(1);
        assertThat(store.list("datasets/" + name + "/")).isEmpty();
        // What /q/metrics says of them (each batch is counted once it is done).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(records("dead_lettered") - deadLetteredBefore).as("records dead-lettered").isEqualTo(2);
            assertThat(records("processed") - processedBefore).as("records processed").isEqualTo(1);
        });
    }

    /** The consumer's {@code consumer_records_total} for one outcome. */
    private double records(String outcome) {
        Counter counter = metrics.find(ConsumerMetrics.RECORDS)
                .tags("consumer", "LabelIngestConsumer.consume", "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aRecordForADataSetThatDoesNotExistIsDeadLetteredNotCreated() {
        String name = Fixtures.name("unknown");
        String value = "{\"text\": \"orphan\", \"label\": \"ok\"}";
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Fixtures.LABELS, name, value)).awaitCompletion();
        }
        List<ConsumerRecord<String, String>> dead = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            dead.clear();
            TopicSnapshot.read(bootstrapServers, DLQ).stream().filter(r -> name.equals(r.key())).forEach(dead::add);
            assertThat(dead).extracting(ConsumerRecord::value).containsExactly(value);
        });
        assertThat(reason(dead.get(0))).isEqualTo("data set " + name + " does not exist (dataset.ingest.create-unknown is off)");
        assertThat(Fixtures.count(db, "SELECT count(*) FROM dataset WHERE name = ?", name)).isZero();
        assertThat(Fixtures.count(db, "SELECT count(*) FROM pending_example WHERE dataset = ?", name)).isZero();
        given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(404);
    }

    /**
     * With {@code dataset.ingest.create-unknown} on (off in this application; the consumer passes the setting
     * through), records for a data set that does not exist create it, owned by their topic's team, and are
     * stored; a second batch of another team's topic does not take it over.
     */
    @Test
    void withCreateUnknownOnARecordCreatesItsDataSetOwnedByTheTopicsTeam() {
        String name = Fixtures.name("created");
        PendingExamples.Arrival arrival = new PendingExamples.Arrival(new LabelRecord("made by a record", "ok", "s-1"),
                Topics.labelsIngest(FinetuneRealm.TEAM_B), 0, 1L, null);
        assertThat(pending.addAll(name, FinetuneRealm.TEAM_B, List.of(arrival), false))
                .isInstanceOf(PendingExamples.Added.NoSuchDataset.class);
        assertThat(Fixtures.count(db, "SELECT count(*) FROM dataset WHERE name = ?", name)).isZero();

        assertThat(pending.addAll(name, FinetuneRealm.TEAM_B, List.of(arrival), true))
                .isEqualTo(new PendingExamples.Added.Stored(1));
        assertThat(Fixtures.count(db, "SELECT count(*) FROM dataset WHERE name = ? AND team = 'team-b'", name)).isOne();
        assertThat(Fixtures.count(db, "SELECT count(*) FROM pending_example WHERE dataset = ?", name)).isOne();

        PendingExamples.Arrival fromA = new PendingExamples.Arrival(new LabelRecord("team a's", "ok", "s-2"),
                Fixtures.LABELS, 0, 2L, null);
        assertThat(pending.addAll(name, FinetuneRealm.TEAM_A, List.of(fromA), true))
                .isEqualTo(new PendingExamples.Added.OtherTeam(FinetuneRealm.TEAM_B));
        assertThat(Fixtures.count(db, "SELECT count(*) FROM pending_example WHERE dataset = ?", name)).isOne();
    }

    @Test
    void aRecordForAnotherTeamsDataSetIsDeadLetteredTeamForbiddenAndNotStored() {
        String name = Fixtures.name("owned");
        Fixtures.createDataset(name); // team-a's
        String intruder = "{\"text\": \"from team-b\", \"label\": \"ok\"}";
        String own = "{\"text\": \"from team-a\", \"label\": \"ok\"}";
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(
                    new ProducerRecord<>(Topics.labelsIngest(FinetuneRealm.TEAM_B), name, intruder),
                    new ProducerRecord<>(Fixtures.LABELS, name, own)).awaitCompletion();
        }
        List<ConsumerRecord<String, String>> dead = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            dead.clear();
            TopicSnapshot.read(bootstrapServers, DLQ).stream().filter(r -> name.equals(r.key())).forEach(dead::add);
            assertThat(dead).extracting(ConsumerRecord::value).containsExactly(intruder);
        });
        assertThat(reason(dead.get(0))).isEqualTo("team-forbidden: data set " + name + " belongs to team-a; a record"
                + " on labels.ingest.team-b may only join a data set of team-b");
        assertThat(new String(dead.get(0).headers().lastHeader("dead-letter-topic").value(), StandardCharsets.UTF_8))
                .isEqualTo("labels.ingest.team-b");
        awaitPending(name, 1); // team-a's own record was taken
        assertThat(Fixtures.count(db, "SELECT count(*) FROM pending_example WHERE dataset = ? AND topic <> ?", name,
                Fixtures.LABELS)).as("records stored from other topics than team-a's").isZero();
    }

    @Test
    void aNewTeamsTopicIsConsumedWithinSeconds() {
        String team = "team-" + UUID.randomUUID().toString().substring(0, 8);
        String contributor = TestTokens.user(FinetuneRealm.CONTRIBUTOR, team);
        String name = Fixtures.name("newteam");
        given().auth().oauth2(contributor).contentType("application/json").body("{}")
                .when().put("/datasets/{name}/trigger", name).then().statusCode(200).body("team", equalTo(team));
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            // A team joins: its topic is created while the service runs, after it subscribed.
            kafka.topics().createAndWait(Topics.labelsIngest(team), Topics.DEFAULT_PARTITIONS);
            kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.labelsIngest(team), name,
                    "{\"text\": \"a new team's first label\", \"label\": \"ok\"}")).awaitCompletion();
        }
        // Within the subscription's metadata refresh (10 s), not the client's default five minutes.
        await().atMost(Duration.ofSeconds(45)).untilAsserted(() ->
                given().auth().oauth2(contributor).when().get("/datasets/{name}", name).then().statusCode(200)
                        .body("pending", equalTo(1)));
    }

    private static String reason(ConsumerRecord<String, String> record) {
        return new String(record.headers().lastHeader("dead-letter-reason").value(), StandardCharsets.UTF_8);
    }

    private void produce(String name, int from, int to) {
        produce(name, from, to, null);
    }

    /** Records {@code from..to-1}, each sent in {@code trace} when there is one. */
    private void produce(String name, int from, int to, TestTrace trace) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(IntStream.range(from, to)
                    .mapToObj(i -> new ProducerRecord<>(Fixtures.LABELS, null, name,
                            "{\"text\":\"streamed example " + i + "\",\"label\":\"" + Fixtures.label(i)
                                    + "\",\"sourceId\":\"src-" + i + "\"}", trace == null ? null : trace.headers()))
                    .toList()).awaitCompletion();
        }
    }

    /** Records {@code from..to-1}, every one labelled {@code label}. */
    private void produceLabelled(String name, int from, int to, String label) {
        try (KafkaCompanion kafka = new KafkaCompanion(bootstrapServers)) {
            kafka.produceStrings().fromRecords(IntStream.range(from, to)
                    .mapToObj(i -> new ProducerRecord<>(Fixtures.LABELS, name,
                            "{\"text\":\"streamed example " + i + "\",\"label\":\"" + label + "\"}"))
                    .toList()).awaitCompletion();
        }
    }

    private static void setTrigger(String name, int n, int m, String t) {
        given().auth().oauth2(TestTokens.teamA()).contentType("application/json")
                .body(Map.of("newExamples", n, "partialExamples", m, "partialAfter", t))
                .when().put("/datasets/{name}/trigger", name)
                .then().statusCode(200).body("trigger.newExamples", equalTo(n));
    }

    private static void awaitPending(String name, int pending) {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
                given().auth().oauth2(TestTokens.teamA()).when().get("/datasets/{name}", name).then().statusCode(200)
                        .body("pending", equalTo(pending)));
    }
}

package dev.finetune.dataset.messaging;

import dev.finetune.dataset.config.DatasetConfig;
import dev.finetune.dataset.domain.PendingExamples;
import dev.finetune.dataset.preparation.VersionPreparer;
import dev.finetune.dataset.trigger.VersionTrigger;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventFormatException;
import dev.finetune.events.LabelRecord;
import dev.finetune.events.Topics;
import dev.finetune.events.kafka.TraceContext;
import dev.finetune.support.metrics.ConsumerMetrics;
import dev.finetune.support.retry.RetryTransientFaults;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes every team's {@code labels.ingest.<team>} topic (one pattern subscription) in batches, as the broker
 * hands them over: each record (key: data set name, value: a {@link LabelRecord}) joins the data set's pending
 * examples, one transaction per data set and batch, then the trigger decides whether they become a version. The
 * record's team is its topic's: only that team's pipeline may write it (KafkaAccess), which is all a consumer can
 * know of who produced it. A record goes to {@code dlq.dataset-service.labels.ingest} with the reason, and the rest
 * of its batch is stored, when it is not a usable LabelRecord, when its data set does not exist ("data set X does
 * not exist"), or when its data set is another team's ({@code team-forbidden: ...}). A batch that
 * cannot be stored because the database is away is retried ({@link RetryTransientFaults}) with its offsets
 * uncommitted; only a batch still failing after {@code consumer.retry.max-duration} is dead-lettered, as
 * {@code transient-exhausted}. Storing again is harmless: pending rows are unique by Kafka coordinates.
 * Per-record transactions and trigger checks capped ingestion at about 100 records/s (docs/benchmarks.md).
 */
@ApplicationScoped
public class LabelIngestConsumer {

    static final String CHANNEL = "labels-ingest";
    /** The reason a record for another team's data set is dead-lettered with, before its detail. */
    static final String TEAM_FORBIDDEN = "team-forbidden";
    /** This consumer's name in the metrics and the readiness check ({@link ConsumerMetrics}). */
    static final String CONSUMER = "LabelIngestConsumer.consume";
    private static final Logger LOG = Logger.getLogger(LabelIngestConsumer.class);

    private final PendingExamples pending;
    private final VersionTrigger trigger;
    private final LabelDeadLetters deadLetters;
    private final DatasetConfig config;
    private final ConsumerMetrics metrics;

    public LabelIngestConsumer(PendingExamples pending, VersionTrigger trigger, LabelDeadLetters deadLetters,
                               DatasetConfig config, ConsumerMetrics metrics) {
        this.pending = pending;
        this.trigger = trigger;
        this.deadLetters = deadLetters;
        this.config = config;
        this.metrics = metrics;
    }

    /** The records of one data set that came on one team's topic. */
    record Source(String dataset, String team) {
    }

    @Incoming(CHANNEL)
    @Blocking
    public void consume(ConsumerRecords<String, String> records) {
        try {
            int deadLettered = consumeBatch(records);
            metrics.deadLettered(CONSUMER, deadLettered);
            metrics.processed(CONSUMER, records.count() - deadLettered);
        } catch (RuntimeException e) {
            metrics.deadLettered(CONSUMER, records.count()); // the channel's strategy dead-letters the whole batch
            throw e;
        }
    }

    /** Stores the batch's records, each data set's at once; returns how many records it dead-lettered. */
    private int consumeBatch(ConsumerRecords<String, String> records) {
        Map<Source, List<PendingExamples.Arrival>> bySource = new LinkedHashMap<>();
        Map<Source, List<ConsumerRecord<String, String>>> sources = new LinkedHashMap<>();
        int deadLettered = 0;
        for (ConsumerRecord<String, String> record : records) {
            try {
                Source source = new Source(record.key(), team(record.topic()));
                LabelRecord example = decode(record.key(), record.value());
                bySource.computeIfAbsent(source, k -> new ArrayList<>())
                        .add(new PendingExamples.Arrival(example, record.topic(), record.partition(), record.offset(),
                                traceparent(record)));
                sources.computeIfAbsent(source, k -> new ArrayList<>()).add(record);
            } catch (EventFormatException e) {
                deadLetters.send(record, e.getMessage());
                deadLettered++;
            }
        }
        // Dead-lettered only once the whole batch is stored: a retried store must not send them twice.
        for (Map.Entry<Source, String> refused : store(bySource).entrySet()) {
            for (ConsumerRecord<String, String> record : sources.get(refused.getKey())) {
                deadLetters.send(record, refused.getValue());
                deadLettered++;
            }
        }
        return deadLettered;
    }

    /**
     * The decoded records of one batch, per data set and team; retried as a whole while the database is away.
     * Returns the sources whose records were not stored, with the reason: a record does not create a data set
     * (create it first with an upload or {@code PUT /datasets/{name}/trigger}) unless
     * {@code dataset.ingest.create-unknown} is on, and never joins another team's.
     */
    @RetryTransientFaults
    Map<Source, String> store(Map<Source, List<PendingExamples.Arrival>> bySource) {
        Map<Source, String> refused = new LinkedHashMap<>();
        for (Map.Entry<Source, List<PendingExamples.Arrival>> batch : bySource.entrySet()) {
            Source source = batch.getKey();
            PendingExamples.Added added = pending.addAll(source.dataset(), source.team(), batch.getValue(),
                    config.ingest().createUnknown());
            if (added instanceof PendingExamples.Added.NoSuchDataset) {
                refused.put(source, "data set " + source.dataset() + " does not exist (dataset.ingest.create-unknown is off)");
                continue;
            }
            if (added instanceof PendingExamples.Added.OtherTeam other) {
                refused.put(source, TEAM_FORBIDDEN + ": data set " + source.dataset() + " belongs to "
                        + other.owner() + "; a record on " + Topics.labelsIngest(source.team())
                        + " may only join a data set of " + source.team());
                continue;
            }
            int stored = ((PendingExamples.Added.Stored) added).count();
            if (stored < batch.getValue().size()) {
                LOG.debugf("%s: %d of %d records already pending, skipped", source.dataset(),
                        batch.getValue().size() - stored, batch.getValue().size());
            }
            // A version that cannot be built yet (one label so far, too few examples) is not the records'
            // fault: the trigger records the failure and the records stay pending.
            trigger.check(source.dataset());
        }
        return refused;
    }

    /** The team whose topic a record came on; the subscription's pattern admits no other topic. */
    private static String team(String topic) {
        return Topics.teamOfLabelsIngest(topic).orElseThrow(() -> new EventFormatException("LabelRecord: topic "
                + topic + " is no team's " + Topics.LABELS_INGEST + " topic"));
    }

    /** The trace the record was produced in: a batch has no single current one, each record has its own. */
    private static String traceparent(ConsumerRecord<String, String> record) {
        Header header = record.headers().lastHeader(TraceContext.TRACEPARENT_HEADER);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The record as a LabelRecord with its required fields, or an EventFormatException naming what is wrong. */
    static LabelRecord decode(String key, String value) {
        if (key == null || !VersionPreparer.NAME.matcher(key).matches()) {
            throw new EventFormatException("LabelRecord: the record key must be a data set name matching "
                    + VersionPreparer.NAME.pattern() + ", got " + (key == null ? "no key" : "'" + key + "'"));
        }
        LabelRecord example = EventCodec.decode(value, LabelRecord.class);
        if (example.text() == null) {
            throw new EventFormatException("LabelRecord: missing required field 'text'");
        }
        if (example.label() == null || example.label().isBlank()) {
            throw new EventFormatException("LabelRecord: missing required field 'label'");
        }
        if (example.text().indexOf('\0') >= 0 || example.label().indexOf('\0') >= 0) {
            throw new EventFormatException("LabelRecord: NUL character in text or label");
        }
        return example;
    }
}

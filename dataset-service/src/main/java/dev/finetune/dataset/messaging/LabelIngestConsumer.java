package dev.finetune.dataset.messaging;

import dev.finetune.dataset.domain.PendingExamples;
import dev.finetune.dataset.preparation.VersionPreparer;
import dev.finetune.dataset.trigger.VersionTrigger;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventFormatException;
import dev.finetune.events.LabelRecord;
import dev.finetune.support.retry.RetryTransientFaults;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import dev.finetune.events.kafka.TraceContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code labels.ingest} in batches (as the broker hands them over): each record (key: data set name,
 * value: a {@link LabelRecord}) joins the data set's pending examples, one transaction per data set and batch,
 * then the trigger decides whether they become a version. A record that is not a usable LabelRecord, or whose
 * data set does not exist ("data set X does not exist"), goes to {@code dlq.dataset-service.labels.ingest} with
 * the reason, and the rest of its batch is stored. A batch that
 * cannot be stored because the database is away is retried ({@link RetryTransientFaults}) with its offsets
 * uncommitted; only a batch still failing after {@code consumer.retry.max-duration} is dead-lettered, as
 * {@code transient-exhausted}. Storing again is harmless: pending rows are unique by Kafka coordinates.
 * Per-record transactions and trigger checks capped ingestion at about 100 records/s (docs/benchmarks.md).
 */
@ApplicationScoped
public class LabelIngestConsumer {

    static final String CHANNEL = "labels-ingest";
    private static final Logger LOG = Logger.getLogger(LabelIngestConsumer.class);

    private final PendingExamples pending;
    private final VersionTrigger trigger;
    private final LabelDeadLetters deadLetters;

    public LabelIngestConsumer(PendingExamples pending, VersionTrigger trigger, LabelDeadLetters deadLetters) {
        this.pending = pending;
        this.trigger = trigger;
        this.deadLetters = deadLetters;
    }

    @Incoming(CHANNEL)
    @Blocking
    public void consume(ConsumerRecords<String, String> records) {
        Map<String, List<PendingExamples.Arrival>> byDataset = new LinkedHashMap<>();
        Map<String, List<ConsumerRecord<String, String>>> sources = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            try {
                LabelRecord example = decode(record.key(), record.value());
                byDataset.computeIfAbsent(record.key(), k -> new ArrayList<>())
                        .add(new PendingExamples.Arrival(example, record.topic(), record.partition(), record.offset(),
                                traceparent(record)));
                sources.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
            } catch (EventFormatException e) {
                deadLetters.send(record, e.getMessage());
            }
        }
        // Dead-lettered only once the whole batch is stored: a retried store must not send them twice.
        for (String unknown : store(byDataset)) {
            for (ConsumerRecord<String, String> record : sources.get(unknown)) {
                deadLetters.send(record, "data set " + unknown + " does not exist");
            }
        }
    }

    /**
     * The decoded records of one batch, per data set; retried as a whole while the database is away. Returns the
     * data sets that do not exist, whose records were not stored: a record cannot create a data set, which needs
     * an owning team (create it first with an upload or {@code PUT /datasets/{name}/trigger}).
     */
    @RetryTransientFaults
    Set<String> store(Map<String, List<PendingExamples.Arrival>> byDataset) {
        Set<String> unknown = new LinkedHashSet<>();
        for (Map.Entry<String, List<PendingExamples.Arrival>> batch : byDataset.entrySet()) {
            OptionalInt stored = pending.addAll(batch.getKey(), batch.getValue());
            if (stored.isEmpty()) {
                unknown.add(batch.getKey());
                continue;
            }
            int added = stored.getAsInt();
            if (added < batch.getValue().size()) {
                LOG.debugf("%s: %d of %d records already pending, skipped", batch.getKey(),
                        batch.getValue().size() - added, batch.getValue().size());
            }
            // A version that cannot be built yet (one label so far, too few examples) is not the records'
            // fault: the trigger records the failure and the records stay pending.
            trigger.check(batch.getKey());
        }
        return unknown;
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

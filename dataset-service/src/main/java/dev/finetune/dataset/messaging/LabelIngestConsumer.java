package dev.finetune.dataset.messaging;

import dev.finetune.dataset.domain.PendingExamples;
import dev.finetune.dataset.preparation.VersionPreparer;
import dev.finetune.dataset.trigger.VersionTrigger;
import dev.finetune.events.EventCodec;
import dev.finetune.events.EventFormatException;
import dev.finetune.events.LabelRecord;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Consumes {@code labels.ingest}: each record (key: data set name, value: a {@link LabelRecord}) joins the
 * data set's pending examples, then the trigger decides whether they become a version. A record that is not a
 * usable LabelRecord throws, which sends it to {@code dlq.dataset-service.labels.ingest} with the reason.
 */
@ApplicationScoped
public class LabelIngestConsumer {

    static final String CHANNEL = "labels-ingest";
    private static final Logger LOG = Logger.getLogger(LabelIngestConsumer.class);

    private final PendingExamples pending;
    private final VersionTrigger trigger;

    public LabelIngestConsumer(PendingExamples pending, VersionTrigger trigger) {
        this.pending = pending;
        this.trigger = trigger;
    }

    @Incoming(CHANNEL)
    @Blocking
    public void consume(ConsumerRecord<String, String> record) {
        String dataset = record.key();
        LabelRecord example = decode(dataset, record.value());
        if (!pending.add(dataset, example, record.topic(), record.partition(), record.offset())) {
            LOG.debugf("%s %d@%d already pending, skipped", record.topic(), record.partition(), record.offset());
            return;
        }
        // A version that cannot be built yet (one label so far, too few examples) is not the record's fault:
        // the trigger records the failure and the record stays pending.
        trigger.check(dataset);
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

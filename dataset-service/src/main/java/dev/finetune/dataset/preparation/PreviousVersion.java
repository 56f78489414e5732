package dev.finetune.dataset.preparation;

import dev.finetune.dataset.split.Split;
import java.util.List;
import java.util.Map;

/** The version a new one is built on: its content (streamed) and what reports compare against. */
public interface PreviousVersion {

    int version();

    /** Its label set, in label-map order. */
    List<String> labels();

    /** Examples per label, for the distribution shift. */
    Map<String, Long> labelCounts();

    String contentSha256();

    /** Streams every example with the split it sits in. */
    void forEachExample(ExampleSink sink);

    /** Receives examples of a stored version. */
    @FunctionalInterface
    interface ExampleSink {
        void accept(Split split, String text, String label, String sourceId);
    }
}

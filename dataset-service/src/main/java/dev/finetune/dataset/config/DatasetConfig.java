package dev.finetune.dataset.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * Every {@code dataset.*} setting of the service in one place; documented in docs/operations.md.
 */
@ConfigMapping(prefix = "dataset")
public interface DatasetConfig {

    /** Validation limits and version rules. */
    Validation validation();

    /** Split ratios; each example's split follows from the hash of its normalised text. */
    Split split();

    /** Resources a version build may use. */
    Build build();

    /** When pending records from {@code labels.ingest} become a version. */
    Trigger trigger();

    /** Caps on one upload, counted after decompression, and on how many are taken at once. */
    Upload upload();

    Ingest ingest();


    interface Validation {
        /** A physical line (or CSV record) longer than this many bytes fails the whole upload. */
        @WithDefault("1048576")
        int maxLineBytes();

        /** Texts longer than this many characters are quarantined. */
        @WithDefault("10000")
        int maxTextChars();

        /** Labels longer than this many characters are quarantined. */
        @WithDefault("100")
        int maxLabelChars();

        /** More distinct labels than this fails the version: a free-text column is not a label. */
        @WithDefault("1000")
        int maxLabels();

        /** Every label of a version needs at least this many examples. */
        @WithDefault("5")
        int minExamplesPerLabel();

        /** A label distribution shift (total variation distance) above this is flagged in the report. */
        @WithDefault("0.2")
        double shiftWarning();

        /** How many rejected rows the validation report lists (all of them are in the quarantine object). */
        @WithDefault("50")
        int reportSamples();
    }

    interface Split {
        @WithDefault("0.8")
        double train();

        @WithDefault("0.1")
        double validation();

        @WithDefault("0.1")
        double test();
    }

    interface Build {
        /** Spill files a build hashes its rows into; memory holds one of them at a time. */
        @WithDefault("64")
        int partitions();

        /** Where builds spool rows; the default is the JVM's temporary directory. */
        Optional<String> tempDir();

        /** How long a build waits for another build of the same data set (any instance) to finish. */
        @WithDefault("120s")
        Duration lockTimeout();
    }

    interface Upload {
        /** Most bytes of an upload once decompressed (a gzip bomb is refused here, not on disk). */
        @WithDefault("4294967296")
        long maxBytes();

        /** Most rows of an upload, rejected ones included. */
        @WithDefault("20000000")
        long maxRows();

        /**
         * Most uploads one instance takes at once, 1 to 100; one more answers 429 {@code too-many-uploads}. Each
         * holds a worker thread and up to {@link #maxBytes()} of local disk while its client sends.
         */
        @WithDefault("4")
        int maxConcurrent();
    }

    interface Ingest {
        /**
         * Whether a {@code labels.ingest.<team>} record for a data set that does not exist creates it, owned by the
         * topic's team. Off by default: a mistyped key would otherwise start a data set nobody meant, so such a
         * record is dead-lettered instead.
         */
        @WithDefault("false")
        boolean createUnknown();
    }

    interface Trigger {
        /** N: cut a version once this many examples are pending. */
        @WithDefault("1000")
        int newExamples();

        /** M: ... or once this many are pending and the oldest has waited {@link #partialAfter()}. */
        @WithDefault("100")
        int partialExamples();

        /** T: how long M pending examples wait before they become a version. */
        @WithDefault("10m")
        Duration partialAfter();

        /** How often the time-based trigger (M and T) is checked. */
        @WithDefault("30s")
        Duration checkInterval();
    }

}

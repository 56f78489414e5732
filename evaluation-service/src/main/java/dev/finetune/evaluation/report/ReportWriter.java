package dev.finetune.evaluation.report;

import dev.finetune.events.EventCodec;
import dev.finetune.storage.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;

/** Stores a report and its pictures under {@code reports/{runId}/{checkpoint}/}. */
@ApplicationScoped
public class ReportWriter {

    public static final String REPORT = "report.json";
    public static final String CONFUSION_MATRIX = "confusion-matrix.svg";
    public static final String RELIABILITY_DIAGRAM = "reliability-diagram.svg";
    private static final String SVG = "image/svg+xml";

    private final ArtifactStore store;

    public ReportWriter(ArtifactStore store) {
        this.store = store;
    }

    /** The {@code s3://} URIs the objects of a run's checkpoint get; known before anything is written. */
    public Locations locations(String runId, String checkpoint) {
        String prefix = prefix(runId, checkpoint);
        return new Locations(store.uri(prefix + REPORT).toString(), store.uri(prefix + CONFUSION_MATRIX).toString(),
                store.uri(prefix + RELIABILITY_DIAGRAM).toString());
    }

    /** Pictures first, the report last: a report in S3 always has its pictures next to it. */
    public Locations write(String runId, String checkpoint, EvaluationReport report, String confusionSvg,
                           String reliabilitySvg) {
        String prefix = prefix(runId, checkpoint);
        store.put(prefix + CONFUSION_MATRIX, confusionSvg.getBytes(StandardCharsets.UTF_8), SVG);
        store.put(prefix + RELIABILITY_DIAGRAM, reliabilitySvg.getBytes(StandardCharsets.UTF_8), SVG);
        store.put(prefix + REPORT, EventCodec.encode(report).getBytes(StandardCharsets.UTF_8), "application/json");
        return locations(runId, checkpoint);
    }

    private static String prefix(String runId, String checkpoint) {
        return "reports/" + runId + "/" + checkpoint + "/";
    }

    public record Locations(String report, String confusionMatrix, String reliabilityDiagram) {
    }
}

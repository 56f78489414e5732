package dev.finetune.evaluation.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.evaluation.domain.Evaluation;
import dev.finetune.evaluation.domain.EvaluationMapper;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.Lineage;
import java.time.Instant;
import java.util.Map;

/** An Evaluation as the REST API shows it: the summary the event carried, plus links to the report and pictures. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationView(String id, EvaluationCompleted.Status status, String reason, String modelName,
                             String checkpoint, Lineage lineage, TestSplit testSplit, Map<String, Double> metrics,
                             Map<String, Double> perLabelF1, EvaluationCompleted.ChampionComparison champion,
                             String reportUri, Instant occurredAt, String retryOf, Links links) {

    /** Which examples were scored. */
    public record TestSplit(String uri, String sha256, Integer examples) {
    }

    /** Paths on this service; pictures only for a succeeded evaluation. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Links(String self, String confusionMatrix, String reliabilityDiagram) {
    }

    /** One evaluation with its full report (read from S3); {@code report} is absent for a failed one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Detail(EvaluationView evaluation, JsonNode report) {
    }

    static EvaluationView of(Evaluation e) {
        String self = "/evaluations/" + e.id;
        boolean pictures = e.status == EvaluationCompleted.Status.SUCCEEDED;
        return new EvaluationView(e.id, e.status, e.reason, e.modelName, e.checkpoint, EvaluationMapper.lineage(e),
                e.testSplitUri == null ? null : new TestSplit(e.testSplitUri, e.testSplitSha256, e.testExamples),
                EvaluationMapper.metrics(e.metrics), EvaluationMapper.metrics(e.perLabelF1),
                EvaluationMapper.champion(e.champion), e.reportUri, e.occurredAt, e.retryOf,
                new Links(self, pictures ? self + "/confusion.svg" : null, pictures ? self + "/reliability.svg" : null));
    }
}

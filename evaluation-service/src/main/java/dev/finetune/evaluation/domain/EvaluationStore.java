package dev.finetune.evaluation.domain;

import dev.finetune.support.inbox.Inbox;

import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.EvaluationCompleted;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Evaluations in PostgreSQL: the idempotency lookup, inserts, publication marks and the REST queries. */
@ApplicationScoped
public class EvaluationStore {

    private final Inbox inbox;

    public EvaluationStore(Inbox inbox) {
        this.inbox = inbox;
    }

    /** The successful evaluation of this checkpoint on this test split, if there is one. */
    @Transactional
    public Optional<Evaluation> findSucceeded(String checkpointSha256, String testSplitSha256) {
        return Evaluation.<Evaluation>find("checkpointSha256 = :checkpoint and testSplitSha256 = :split and status = :status",
                Parameters.with("checkpoint", checkpointSha256).and("split", testSplitSha256)
                        .and("status", EvaluationCompleted.Status.SUCCEEDED)).firstResultOptional();
    }

    /**
     * Inserts the evaluation; when another instance stored a successful one for the same checkpoint and split
     * in the meantime (the unique index refuses ours), returns that one instead.
     */
    public Evaluation insertOrExisting(Evaluation evaluation) {
        try {
            QuarkusTransaction.requiringNew().run(evaluation::persist);
            return evaluation;
        } catch (RuntimeException e) {
            if (evaluation.status == EvaluationCompleted.Status.SUCCEEDED) {
                Optional<Evaluation> existing = findSucceeded(evaluation.checkpointSha256, evaluation.testSplitSha256);
                if (existing.isPresent()) {
                    return existing.get();
                }
            }
            throw e;
        }
    }

    /** The event is out: mark the row and record the checkpoint event in the inbox, together. */
    @Transactional
    public void markPublished(String id, CheckpointSaved checkpointEvent) {
        Evaluation.update("publishedAt = ?1 where id = ?2", Instant.now(), id);
        inbox.firstDelivery(checkpointEvent);
    }

    @Transactional
    public Optional<Evaluation> find(String id) {
        return Evaluation.findByIdOptional(id);
    }

    /** Newest first; {@code model} and {@code run} filter when given. */
    @Transactional
    public List<Evaluation> list(String model, String run, int limit) {
        List<String> where = new ArrayList<>();
        Parameters parameters = new Parameters();
        if (model != null && !model.isBlank()) {
            where.add("modelName = :model");
            parameters.and("model", model);
        }
        if (run != null && !run.isBlank()) {
            where.add("runId = :run");
            parameters.and("run", run);
        }
        Sort newestFirst = Sort.descending("occurredAt");
        return (where.isEmpty() ? Evaluation.<Evaluation>findAll(newestFirst)
                : Evaluation.<Evaluation>find(String.join(" and ", where), newestFirst, parameters))
                .page(0, limit).list();
    }
}

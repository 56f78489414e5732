package dev.finetune.evaluation.domain;

import dev.finetune.support.inbox.Inbox;
import dev.finetune.support.outbox.Outbox;

import dev.finetune.events.CheckpointSaved;
import dev.finetune.events.EvaluationCompleted;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Evaluations in PostgreSQL: the idempotency lookup, inserts with their event, and the REST queries. */
@ApplicationScoped
public class EvaluationStore {

    private final Inbox inbox;
    private final Outbox outbox;

    public EvaluationStore(Inbox inbox, Outbox outbox) {
        this.inbox = inbox;
        this.outbox = outbox;
    }

    /** The successful evaluation of this checkpoint on this test split, if there is one. */
    @Transactional
    public Optional<Evaluation> findSucceeded(String checkpointSha256, String testSplitSha256) {
        return Evaluation.<Evaluation>find("checkpointSha256 = :checkpoint and testSplitSha256 = :split and status = :status",
                Parameters.with("checkpoint", checkpointSha256).and("split", testSplitSha256)
                        .and("status", EvaluationCompleted.Status.SUCCEEDED)).firstResultOptional();
    }

    /**
     * Inserts the evaluation with its {@code evaluations.completed} event and the checkpoint event's inbox entry,
     * in one transaction; true when it did. False when another instance stored a successful one for the same
     * checkpoint and split in the meantime (the unique index refuses ours): then nothing of ours is kept.
     */
    public boolean insert(Evaluation evaluation, CheckpointSaved checkpointEvent) {
        try {
            QuarkusTransaction.requiringNew().run(() -> {
                evaluation.persist();
                outbox.record(EvaluationMapper.toEvent(evaluation));
                inbox.firstDelivery(checkpointEvent);
            });
            return true;
        } catch (RuntimeException e) {
            if (evaluation.status == EvaluationCompleted.Status.SUCCEEDED
                    && findSucceeded(evaluation.checkpointSha256, evaluation.testSplitSha256).isPresent()) {
                return false;
            }
            throw e;
        }
    }

    @Transactional
    public Optional<Evaluation> find(String id) {
        return Evaluation.findByIdOptional(id);
    }

    /** Newest first; {@code model} and {@code run} filter when given; {@code teams}, when not null, limits to theirs. */
    @Transactional
    public List<Evaluation> list(String model, String run, java.util.Set<String> teams, int limit) {
        List<String> where = new ArrayList<>();
        Parameters parameters = new Parameters();
        if (teams != null) {
            where.add("team in :teams");
            parameters.and("teams", teams.isEmpty() ? java.util.Set.of("") : teams);
        }
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

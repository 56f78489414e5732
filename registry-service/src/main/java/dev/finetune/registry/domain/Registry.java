package dev.finetune.registry.domain;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Lineage;
import dev.finetune.events.ModelPromoted;
import dev.finetune.events.ModelRejected;
import dev.finetune.events.RuleOutcome;
import dev.finetune.registry.config.RegistrySettings;
import dev.finetune.registry.policy.Candidate;
import dev.finetune.registry.policy.PolicyJudge;
import dev.finetune.registry.policy.PromotionPolicy;
import dev.finetune.support.outbox.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The registry's decisions. Each runs in one transaction that also writes the event announcing it to
 * the outbox, and locks the model's row first, so decisions on one model never interleave: the alias
 * moves atomically and version numbers never collide.
 */
@ApplicationScoped
public class Registry {

    public static final String PRODUCTION = "production";
    public static final String PRODUCER = "registry-service";
    /** An alias other than production that a person may point at a version: {@code staging}, {@code challenger}, ... */
    public static final java.util.regex.Pattern ALIAS = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,39}");
    /** The team of a model registered before lineages carried one: only an admin acts on it. */
    public static final String UNASSIGNED = "unassigned";
    private static final Logger LOG = Logger.getLogger(Registry.class);
    private static final TypeReference<Map<String, Double>> METRICS = new TypeReference<>() { };
    private static final TypeReference<Map<String, DatasetPrepared.SplitRef>> SPLITS = new TypeReference<>() { };

    private final EntityManager entityManager;
    private final RegistrySettings settings;
    private final Outbox outbox;
    private final VersionPreloader preloader;

    public Registry(EntityManager entityManager, RegistrySettings settings, Outbox outbox, VersionPreloader preloader) {
        this.entityManager = entityManager;
        this.settings = settings;
        this.outbox = outbox;
        this.preloader = preloader;
    }

    /** What the policy decided on one evaluation; empty when the evaluation had been decided on already. */
    public record Decision(ModelVersion version, boolean promoted, List<RuleOutcome> rules) {
    }

    /**
     * Registers the evaluated candidate as a new version and applies the model's policy: promoted
     * (production moves, {@code models.promoted}) or rejected ({@code models.rejected}). A failed
     * evaluation registers nothing. Exactly one decision per evaluation id.
     */
    @Transactional
    public Optional<Decision> decide(EvaluationCompleted evaluation) {
        if (evaluation.status() != EvaluationCompleted.Status.SUCCEEDED) {
            LOG.warnf("evaluation %s of %s failed (%s): nothing to register correlationId=%s", evaluation.evaluationId(),
                    evaluation.modelName(), evaluation.reason(), evaluation.correlationId());
            return Optional.empty();
        }
        String model = evaluation.modelName();
        lockModel(model);
        claimModel(model, evaluation.lineage().team());
        refuseAnotherTeamsCandidate(model, evaluation);
        if (ModelVersion.count("evaluationId", evaluation.evaluationId()) > 0) {
            return Optional.empty();
        }
        Optional<ModelVersion> production = production(model);
        Candidate candidate = new Candidate(evaluation.metrics(), evaluation.perLabelF1(), evaluation.champion(),
                production.map(v -> v.version).orElse(null),
                production.map(v -> Json.read(v.perLabelF1, METRICS)).orElse(Map.of()));
        List<RuleOutcome> rules = new java.util.ArrayList<>(PolicyJudge.judge(policyOf(model), candidate));
        boolean passed = PolicyJudge.passed(rules);

        ModelVersion version = new ModelVersion();
        Lineage lineage = evaluation.lineage();
        version.modelName = model;
        version.version = nextVersion(model);
        version.packageUri = lineage.checkpointUri();
        version.packageSha256 = lineage.checkpointSha256();
        if (passed) {
            Optional<RuleOutcome> unverified = preloadPromoted(version);
            if (unverified.isPresent()) {
                rules.add(unverified.get());
                passed = false;
            }
        }
        version.status = passed ? ModelVersion.Status.PROMOTED : ModelVersion.Status.REJECTED;
        version.dataset = lineage.dataset();
        version.team = lineage.team();
        version.datasetVersion = lineage.datasetVersion();
        version.manifestUri = lineage.datasetManifestUri();
        version.runId = lineage.runId();
        version.step = lineage.step();
        version.splits = Json.write(lineage.splits());
        version.evaluationId = evaluation.evaluationId();
        version.metrics = Json.write(evaluation.metrics());
        version.perLabelF1 = Json.write(evaluation.perLabelF1());
        version.champion = evaluation.champion() == null ? null : Json.write(evaluation.champion());
        version.reportUri = evaluation.reportUri();
        version.decision = Json.write(rules);
        version.tags = "{}";
        version.correlationId = evaluation.correlationId();
        version.createdAt = Instant.now();
        version.persist();

        if (passed) {
            Integer previous = production.map(v -> v.version).orElse(null);
            moveAlias(model, PRODUCTION, previous, version.version, "POLICY", "passed the promotion policy",
                    "policy");
            outbox.record(new ModelPromoted(EventMeta.next(PRODUCER, evaluation.correlationId()), model, version.version,
                    version.packageUri, version.packageSha256, evaluation.metrics(), previous,
                    ModelPromoted.Trigger.POLICY, "passed the promotion policy", rules, lineage));
        } else {
            outbox.record(new ModelRejected(EventMeta.next(PRODUCER, evaluation.correlationId()), model, version.version,
                    evaluation.evaluationId(), rules, lineage));
        }
        LOG.infof("%s v%d %s: %s correlationId=%s", model, version.version, passed ? "promoted" : "rejected",
                rules.stream().filter(r -> !r.passed()).map(RuleOutcome::rule).toList(), evaluation.correlationId());
        return Optional.of(new Decision(version, passed, rules));
    }

    /**
     * Loads the version the policy promotes before production moves to it, so predict answers from it the moment
     * the move commits. A package that fails its checksum is never served: the rule {@code package-verified} fails
     * and the candidate is rejected. One that cannot be loaded now (the store away, the object not there yet) is
     * promoted all the same, since the policy decided and the record must not hold its partition: predict loads it
     * when it can, answering 503 with Retry-After until then.
     */
    private Optional<RuleOutcome> preloadPromoted(ModelVersion version) {
        try {
            preloader.preload(version);
            return Optional.empty();
        } catch (PackageUnverified e) {
            return Optional.of(new RuleOutcome("package-verified", false, null, null, e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warnf("%s v%d promoted before it could be loaded: %s", version.modelName, version.version,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** Moves production to {@code version} by hand. */
    @Transactional
    public ModelVersion promote(String model, int versionNumber, String reason, String actor) {
        lockModel(model);
        ModelVersion target = version(model, versionNumber)
                .orElseThrow(() -> RegistryProblems.versionNotFound(model, versionNumber));
        Integer previous = production(model).map(v -> v.version).orElse(null);
        if (previous != null && previous == versionNumber) {
            throw RegistryProblems.alreadyProduction(model, versionNumber);
        }
        return moveProduction(model, target, previous, ModelPromoted.Trigger.MANUAL, reason, actor);
    }

    /**
     * Points an alias other than production ({@code staging}, {@code challenger}, any name {@link #ALIAS} admits) at
     * {@code version}, audited like every move; predict answers from it with {@code ?alias=}. The version is loaded
     * first, as for production. Production moves only by promote and rollback, which announce it on models.promoted.
     */
    @Transactional
    public ModelVersion setAlias(String model, String alias, int versionNumber, String reason, String actor) {
        if (PRODUCTION.equals(alias)) {
            throw RegistryProblems.productionAlias(model);
        }
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw RegistryProblems.invalidAlias(alias);
        }
        if (reason == null || reason.isBlank()) {
            throw RegistryProblems.missingReason();
        }
        lockModel(model);
        ModelVersion target = version(model, versionNumber)
                .orElseThrow(() -> RegistryProblems.versionNotFound(model, versionNumber));
        Integer previous = aliased(model, alias).map(v -> v.version).orElse(null);
        preloadTarget(target);
        moveAlias(model, alias, previous, target.version, ModelPromoted.Trigger.MANUAL.name(), reason, actor);
        LOG.infof("%s %s v%s -> v%d (by %s: %s)", model, alias, previous, target.version, actor, reason);
        return target;
    }

    /**
     * Moves production back to the version that was production before the current one. A rollback undoes a move
     * rather than making one, so repeating it walks further back (v3, v2, v1) instead of toggling between the last
     * two, and ends with 409 when production has no earlier version.
     */
    @Transactional
    public ModelVersion rollback(String model, String reason, String actor) {
        lockModel(model);
        ModelVersion current = production(model)
                .orElseThrow(() -> RegistryProblems.noProductionVersion(model));
        Integer earlier = earlierProduction(AliasMove.list("modelName = ?1 and alias = ?2 order by id", model,
                PRODUCTION));
        if (earlier == null) {
            throw RegistryProblems.noEarlierVersion(model);
        }
        ModelVersion target = version(model, earlier).orElseThrow();
        return moveProduction(model, target, current.version, ModelPromoted.Trigger.ROLLBACK, reason, actor);
    }

    /**
     * Replays production's audit as a stack of the versions it left: a promotion (by policy or by hand) pushes the
     * version it moved from, a rollback pops one. What is left on top is where the next rollback goes; {@code null}
     * when nothing is (the first version, or every earlier one rolled back already).
     */
    static Integer earlierProduction(List<AliasMove> moves) {
        java.util.Deque<Integer> left = new java.util.ArrayDeque<>();
        for (AliasMove move : moves) {
            if (ModelPromoted.Trigger.ROLLBACK.name().equals(move.trigger)) {
                left.pollFirst();
            } else if (move.fromVersion != null) {
                left.push(move.fromVersion);
            }
        }
        return left.peekFirst();
    }

    private ModelVersion moveProduction(String model, ModelVersion target, Integer previous,
            ModelPromoted.Trigger trigger, String reason, String actor) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a reason is required");
        }
        preloadTarget(target);
        moveAlias(model, PRODUCTION, previous, target.version, trigger.name(), reason, actor);
        target.status = ModelVersion.Status.PROMOTED;
        Lineage lineage = new Lineage(target.dataset, target.team, target.datasetVersion, target.manifestUri, target.runId,
                target.packageUri, target.packageSha256, target.step, splits(target));
        outbox.record(new ModelPromoted(EventMeta.next(PRODUCER, target.correlationId), model, target.version,
                target.packageUri, target.packageSha256, Json.read(target.metrics, METRICS), previous, trigger, reason,
                List.of(), lineage));
        LOG.infof("%s production v%s -> v%d (%s by %s: %s)", model, previous, target.version, trigger, actor, reason);
        return target;
    }

    /**
     * Loads the version a person moves production to before the alias moves, so predict answers from it the moment
     * the move commits; the alias does not move to a version this instance cannot load (409 for a package that
     * fails its checksum, 503 when it cannot be loaded now). The person asks again; no record waits on it.
     */
    private void preloadTarget(ModelVersion target) {
        try {
            preloader.preload(target);
        } catch (PackageUnverified e) {
            throw RegistryProblems.packageUnverified(e, 409);
        } catch (RuntimeException e) {
            throw RegistryProblems.packageUnavailable(target.modelName, target.version, e.getMessage()).retryAfter(2);
        }
    }

    /** The version's splits as its lineage carried them; empty for a version registered before they travelled. */
    public static Map<String, DatasetPrepared.SplitRef> splits(ModelVersion version) {
        return version.splits == null ? Map.of() : Json.read(version.splits, SPLITS);
    }

    private void moveAlias(String model, String alias, Integer from, int to, String trigger, String reason, String actor) {
        entityManager.createNativeQuery("""
                        INSERT INTO model_alias (model_name, alias, version, updated_at) VALUES (?1, ?2, ?3, now())
                        ON CONFLICT (model_name, alias) DO UPDATE SET version = excluded.version, updated_at = now()""")
                .setParameter(1, model).setParameter(2, alias).setParameter(3, to).executeUpdate();
        AliasMove move = new AliasMove();
        move.modelName = model;
        move.alias = alias;
        move.fromVersion = from;
        move.toVersion = to;
        move.trigger = trigger;
        move.reason = reason;
        move.actor = actor;
        move.at = Instant.now();
        move.persist();
    }

    /** Creates the model on first sight and locks its row for the rest of the transaction. */
    private void lockModel(String model) {
        entityManager.createNativeQuery("""
                        INSERT INTO registered_model (name, created_at) VALUES (?1, now()) ON CONFLICT (name) DO NOTHING""")
                .setParameter(1, model).executeUpdate();
        entityManager.find(RegisteredModel.class, model, LockModeType.PESSIMISTIC_WRITE);
    }

    /**
     * The model belongs to the team of the lineage that registered it. Only a model of no team yet (new, or from
     * before lineages carried a team) is claimed: a later lineage of another team does not take it over. A
     * policy another team set for the name before it was registered goes with the claim: the model is named
     * after its data set, whose owner (dataset-service decides) is the lineage's team, so that policy was set
     * on a name the other team never owned.
     */
    private void claimModel(String model, String team) {
        if (team == null || team.isBlank()) {
            return;
        }
        int claimed = entityManager.createNativeQuery("UPDATE registered_model SET team = ?2 WHERE name = ?1 AND team = ?3")
                .setParameter(1, model).setParameter(2, team).setParameter(3, UNASSIGNED).executeUpdate();
        if (claimed > 0) {
            long dropped = PolicyRecord.delete("modelName = ?1 and team <> ?2", model, team);
            if (dropped > 0) {
                LOG.warnf("model %s registered for team %s: the policy another team set for the name is dropped",
                        model, team);
            }
        }
    }

    /**
     * A candidate whose lineage names another team than the model's (a data set of the same name deleted and
     * created again by another team, say) never joins that model: it would be judged by, and could replace,
     * another team's production version. The record is dead-lettered with the reason.
     */
    private void refuseAnotherTeamsCandidate(String model, EvaluationCompleted evaluation) {
        String team = evaluation.lineage().team();
        // Read from the table: the entity lockModel loaded predates claimModel's update.
        String owner = (String) entityManager.createNativeQuery("SELECT team FROM registered_model WHERE name = ?1")
                .setParameter(1, model).getSingleResult();
        if (team != null && !team.isBlank() && !UNASSIGNED.equals(owner) && !owner.equals(team)) {
            throw new CandidateOfAnotherTeam(model, owner, team, evaluation.evaluationId());
        }
    }

    /**
     * The team owning the model: the registered model's, else (a policy set before its first version) the team
     * that set its policy; empty for a name the registry does not know.
     */
    @Transactional
    public Optional<String> teamOf(String model) {
        RegisteredModel registered = RegisteredModel.findById(model);
        if (registered != null) {
            return Optional.of(registered.team);
        }
        PolicyRecord policy = PolicyRecord.findById(model);
        return policy == null ? Optional.empty() : Optional.of(policy.team);
    }

    private int nextVersion(String model) {
        Number max = (Number) entityManager.createNativeQuery(
                "SELECT coalesce(max(version), 0) FROM model_version WHERE model_name = ?1")
                .setParameter(1, model).getSingleResult();
        return max.intValue() + 1;
    }

    @Transactional
    public Optional<ModelVersion> production(String model) {
        return aliased(model, PRODUCTION);
    }

    /** The version {@code alias} points at now; empty when the model has no such alias. */
    @Transactional
    public Optional<ModelVersion> aliased(String model, String alias) {
        @SuppressWarnings("unchecked")
        List<Number> versions = entityManager.createNativeQuery(
                "SELECT version FROM model_alias WHERE model_name = ?1 AND alias = ?2")
                .setParameter(1, model).setParameter(2, alias).getResultList();
        return versions.stream().findFirst().flatMap(v -> version(model, v.intValue()));
    }

    /** Production version of every model, for the serving layer. */
    @Transactional
    public Map<String, Integer> productionVersions() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery(
                "SELECT model_name, version FROM model_alias WHERE alias = ?1")
                .setParameter(1, PRODUCTION).getResultList();
        Map<String, Integer> versions = new java.util.HashMap<>();
        rows.forEach(r -> versions.put((String) r[0], ((Number) r[1]).intValue()));
        return versions;
    }

    @Transactional
    public Optional<ModelVersion> version(String model, int version) {
        ModelVersion.Key key = new ModelVersion.Key();
        key.modelName = model;
        key.version = version;
        return Optional.ofNullable(entityManager.find(ModelVersion.class, key));
    }

    @Transactional
    public List<ModelVersion> versions(String model) {
        return ModelVersion.list("modelName = ?1 order by version", model);
    }

    /** Every model of the given teams ({@code null}: of every team), by name. */
    @Transactional
    public List<RegisteredModel> models(java.util.Set<String> teams) {
        io.quarkus.panache.common.Sort byName = io.quarkus.panache.common.Sort.by("name");
        if (teams == null) {
            return RegisteredModel.listAll(byName);
        }
        return teams.isEmpty() ? List.of() : RegisteredModel.list("team in ?1", byName, teams);
    }

    @Transactional
    public Map<String, Integer> aliases(String model) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery(
                "SELECT alias, version FROM model_alias WHERE model_name = ?1 ORDER BY alias")
                .setParameter(1, model).getResultList();
        Map<String, Integer> aliases = new java.util.LinkedHashMap<>();
        rows.forEach(r -> aliases.put((String) r[0], ((Number) r[1]).intValue()));
        return aliases;
    }

    @Transactional
    public List<AliasMove> audit(String model) {
        return AliasMove.list("modelName = ?1 order by id", model);
    }

    @Transactional
    public PromotionPolicy policyOf(String model) {
        PromotionPolicy defaults = defaultPolicy();
        PolicyRecord stored = PolicyRecord.findById(model);
        return stored == null ? defaults : Json.read(stored.policy, PromotionPolicy.class).over(defaults);
    }

    @Transactional
    public PromotionPolicy storePolicy(String model, PromotionPolicy policy, String team) {
        policy.validated();
        PolicyRecord stored = PolicyRecord.findById(model);
        if (stored == null) {
            stored = new PolicyRecord();
            stored.modelName = model;
        }
        stored.team = team;
        stored.policy = Json.write(policy);
        stored.updatedAt = Instant.now();
        stored.persist();
        return policyOf(model);
    }

    private PromotionPolicy defaultPolicy() {
        RegistrySettings.Policy p = settings.policy();
        return new PromotionPolicy(p.minAccuracy().orElse(null), p.minMacroF1().orElse(null), p.maxEce().orElse(null),
                p.maxLatencyP95Ms().orElse(null), p.minImprovement().orElse(null),
                p.maxLabelF1Regression().orElse(null), p.significanceLevel().orElse(null));
    }
}

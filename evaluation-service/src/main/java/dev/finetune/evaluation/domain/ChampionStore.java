package dev.finetune.evaluation.domain;

import dev.finetune.events.ModelPromoted;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Optional;

/** The production version of each model (from {@code models.promoted}) and the cache of champion scores. */
@ApplicationScoped
public class ChampionStore {

    private final EntityManager entityManager;

    public ChampionStore(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    /**
     * Makes the promoted version the model's champion, unless a promotion that happened later is already
     * recorded: a rollback moves production to a lower version, so "latest promotion wins", not "highest version".
     */
    @Transactional
    public void promote(ModelPromoted event) {
        entityManager.createNativeQuery("""
                        INSERT INTO champion (model_name, version, package_uri, package_sha256, promoted_at, event_id)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                        ON CONFLICT (model_name) DO UPDATE SET version = EXCLUDED.version,
                            package_uri = EXCLUDED.package_uri, package_sha256 = EXCLUDED.package_sha256,
                            promoted_at = EXCLUDED.promoted_at, event_id = EXCLUDED.event_id
                        WHERE champion.promoted_at <= EXCLUDED.promoted_at""")
                .setParameter(1, event.modelName())
                .setParameter(2, event.version())
                .setParameter(3, event.packageUri())
                .setParameter(4, event.packageSha256())
                .setParameter(5, event.occurredAt())
                .setParameter(6, event.eventId())
                .executeUpdate();
    }

    @Transactional
    public Optional<Champion> find(String modelName) {
        return Champion.findByIdOptional(modelName);
    }

    @Transactional
    public Optional<ChampionScore> score(String modelName, int version, String testSplitSha256) {
        return ChampionScore.findByIdOptional(new ChampionScore.Key(modelName, version, testSplitSha256));
    }

    /** Insert-or-ignore: two instances scoring the same champion at once store one row. */
    @Transactional
    public void saveScore(String modelName, int version, String testSplitSha256, String packageSha256,
                          String metricsJson, String predictionsJson) {
        entityManager.createNativeQuery("""
                        INSERT INTO champion_score (model_name, version, test_split_sha256, package_sha256, metrics,
                            predictions, created_at)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                        ON CONFLICT (model_name, version, test_split_sha256) DO NOTHING""")
                .setParameter(1, modelName)
                .setParameter(2, version)
                .setParameter(3, testSplitSha256)
                .setParameter(4, packageSha256)
                .setParameter(5, metricsJson)
                .setParameter(6, predictionsJson)
                .setParameter(7, Instant.now())
                .executeUpdate();
    }
}

package dev.finetune.dataset.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Which model versions were trained on which data set versions, as {@code models.promoted} told us. */
@ApplicationScoped
public class ModelReferences {

    private final EntityManager entityManager;

    public ModelReferences(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    /** Records a reference; a replayed event changes nothing. Returns whether it was new. */
    @Transactional
    public boolean add(String modelName, int modelVersion, String dataset, int datasetVersion, UUID eventId,
                       Instant promotedAt) {
        return entityManager.createNativeQuery("""
                        INSERT INTO model_reference (model_name, model_version, dataset, dataset_version, event_id, promoted_at)
                        VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (model_name, model_version) DO NOTHING""")
                .setParameter(1, modelName).setParameter(2, modelVersion).setParameter(3, dataset)
                .setParameter(4, datasetVersion).setParameter(5, eventId).setParameter(6, promotedAt)
                .executeUpdate() == 1;
    }

    /** {@code model:version} of every model version trained on the data set, e.g. {@code reviews:3}. */
    @Transactional
    @SuppressWarnings("unchecked")
    public List<String> referencing(String dataset) {
        return entityManager.createNativeQuery("""
                        SELECT model_name || ':' || model_version || ' (data set version ' || dataset_version || ')'
                        FROM model_reference WHERE dataset = ?1 ORDER BY model_name, model_version""", String.class)
                .setParameter(1, dataset).getResultList();
    }
}

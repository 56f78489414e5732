package dev.finetune.evaluation.domain;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * A champion's predictions on one test split (by checksum), kept so every later candidate on that split is
 * compared without scoring the champion again. {@code predictions} is a JSON array of predicted label names in
 * split order; {@code metrics} a JSON object of accuracy, macroF1, logLoss, ece.
 */
@Entity
@Table(name = "champion_score")
public class ChampionScore extends PanacheEntityBase {

    @EmbeddedId
    public Key key;

    @Column(name = "package_sha256")
    public String packageSha256;

    public String metrics;

    public String predictions;

    @Column(name = "created_at")
    public Instant createdAt;

    /** (model name, version, test split sha256). */
    @Embeddable
    public static class Key implements Serializable {

        @Column(name = "model_name")
        public String modelName;

        public int version;

        @Column(name = "test_split_sha256")
        public String testSplitSha256;

        public Key() {
        }

        public Key(String modelName, int version, String testSplitSha256) {
            this.modelName = modelName;
            this.version = version;
            this.testSplitSha256 = testSplitSha256;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.version == version && Objects.equals(k.modelName, modelName)
                    && Objects.equals(k.testSplitSha256, testSplitSha256);
        }

        @Override
        public int hashCode() {
            return Objects.hash(modelName, version, testSplitSha256);
        }
    }
}

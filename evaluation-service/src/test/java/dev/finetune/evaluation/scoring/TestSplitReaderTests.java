package dev.finetune.evaluation.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The test split as dataset-service's manifest.json names it. */
class TestSplitReaderTests {

    private static final String MANIFEST = """
            {"dataset":"reviews","version":3,"createdAt":"2026-11-25T09:14:03.512Z","source":"upload","mode":"replace",
             "contentSha256":"e3b0",
             "splits":{
               "train":{"uri":"s3://finetune/datasets/reviews/v3/train.jsonl.gz","sha256":"9b2f","bytes":100,"examples":24},
               "validation":{"uri":"s3://finetune/datasets/reviews/v3/validation.jsonl.gz","sha256":"1c2d","bytes":20,"examples":3},
               "test":{"uri":"s3://finetune/datasets/reviews/v3/test.jsonl.gz","sha256":"a1b2","bytes":20,"examples":3}},
             "quarantine":{"uri":"s3://finetune/datasets/reviews/v3/quarantine.jsonl.gz","sha256":"00","bytes":0,"examples":0},
             "labels":["negative","positive"],"statistics":{},"validation":{},"lineage":{}}""";

    @Test
    void readsTheTestSplitOfAManifest() {
        assertThat(TestSplitReader.testSplitOf("s3://finetune/datasets/reviews/v3/manifest.json", MANIFEST))
                .contains(new TestSplitReader.Location("s3://finetune/datasets/reviews/v3/test.jsonl.gz", "a1b2"));
    }

    @Test
    void aManifestWithoutATestSplitNamesNone() {
        assertThat(TestSplitReader.testSplitOf("s3://b/m.json", "{\"splits\":{\"train\":{\"uri\":\"s3://b/t\"}}}"))
                .isEmpty();
    }

    @Test
    void anUnreadableManifestIsAFailureNamingIt() {
        assertThatThrownBy(() -> TestSplitReader.testSplitOf("s3://b/m.json", "{not json"))
                .isInstanceOf(EvaluationFailure.class).hasMessageContaining("s3://b/m.json");
    }
}

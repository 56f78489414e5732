package dev.finetune.evaluation.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.finetune.evaluation.domain.Evaluation;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.testing.AccessContract;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Who may do what on the evaluation API: the sign-in contract derived from the OpenAPI document (every
 * operation 401 without a token, 403 without its role, admitted with it), and one team unable to see or retry
 * another team's evaluation.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class AccessIT {

    @TestHTTPResource("/")
    URI base;

    @Test
    void everyOperationNeedsATokenOfOurIssuerAndItsRole() {
        new AccessContract(base).assertHoldsForTestTokens("GET /evaluations", "POST /evaluations/{id}/retry");
    }

    @Test
    void oneTeamCannotSeeOrRetryAnotherTeamsEvaluation() {
        String id = failedEvaluationOf("team-b");
        String teamA = TestTokens.user(FinetuneRealm.CONTRIBUTOR, FinetuneRealm.TEAM_A);
        given().auth().oauth2(teamA).get("/evaluations/" + id).then().statusCode(404);
        given().auth().oauth2(teamA).post("/evaluations/" + id + "/retry").then().statusCode(404);
        given().auth().oauth2(teamA).get("/evaluations").then().statusCode(200).body("id", not(hasItem(id)));

        String teamB = TestTokens.user(FinetuneRealm.READER, FinetuneRealm.TEAM_B);
        given().auth().oauth2(teamB).get("/evaluations/" + id).then().statusCode(200).body("evaluation.lineage.team", equalTo("team-b"));
        given().auth().oauth2(teamB).get("/evaluations").then().statusCode(200).body("id", hasItem(id));
        given().auth().oauth2(teamB).post("/evaluations/" + id + "/retry").then().statusCode(403)
                .body("type", equalTo("https://finetune.dev/problems/forbidden"));
        given().auth().oauth2(TestTokens.admin()).get("/evaluations/" + id).then().statusCode(200);
    }

    /** A failed evaluation of another team's candidate, stored as the consumer would store it. */
    private static String failedEvaluationOf(String team) {
        Evaluation evaluation = new Evaluation();
        evaluation.id = "eval-access-" + UUID.randomUUID();
        evaluation.eventId = UUID.randomUUID();
        evaluation.occurredAt = Instant.now();
        evaluation.correlationId = "access-v1";
        evaluation.checkpointEventId = UUID.randomUUID();
        evaluation.status = EvaluationCompleted.Status.FAILED;
        evaluation.reason = "test split unreadable";
        evaluation.modelName = "access-" + team;
        evaluation.dataset = "access-" + team;
        evaluation.team = team;
        evaluation.datasetVersion = 1;
        evaluation.datasetManifestUri = "s3://finetune/datasets/access/v1/manifest.json";
        evaluation.runId = "run-access";
        evaluation.checkpoint = "ckpt-1";
        evaluation.checkpointUri = "s3://finetune/models/run-access/ckpt-1/model.zip";
        evaluation.checkpointSha256 = "00";
        evaluation.step = 1;
        evaluation.lineageSplits = "{}";
        QuarkusTransaction.requiringNew().run(evaluation::persist);
        return evaluation.id;
    }
}

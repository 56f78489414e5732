package dev.finetune.evaluation.api;

import static dev.finetune.testing.ProblemAssertions.assertProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

/**
 * The bad-input suite of the (read-only) evaluation API: each refusal answers problem+json of its documented
 * kind. A failed evaluation's missing picture is asserted in EvaluationIT, which makes one.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class BadInputIT {

    @Test
    void eachRefusalHasItsKind() {
        assertProblem(given().auth().oauth2(TestTokens.teamA()).queryParam("limit", 0).get("/evaluations"), 400, "invalid-parameter");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).queryParam("limit", 501).get("/evaluations"), 400, "invalid-parameter");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/evaluations/eval-nope"), 404, "evaluation-not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/evaluations/eval-nope/confusion.svg"), 404, "evaluation-not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/evaluations/eval-nope/nothing"), 404, "not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType("application/json").body("{}").post("/evaluations"), 405,
                "method-not-allowed");
        given().auth().oauth2(TestTokens.teamA()).queryParam("limit", 500).get("/evaluations").then().statusCode(200);
    }

}

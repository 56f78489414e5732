package dev.finetune.evaluation.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
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
        assertKind(given().queryParam("limit", 0).get("/evaluations"), 400, "invalid-parameter");
        assertKind(given().queryParam("limit", 501).get("/evaluations"), 400, "invalid-parameter");
        assertKind(given().get("/evaluations/eval-nope"), 404, "evaluation-not-found");
        assertKind(given().get("/evaluations/eval-nope/confusion.svg"), 404, "evaluation-not-found");
        assertKind(given().get("/evaluations/eval-nope/nothing"), 404, "not-found");
        assertKind(given().contentType("application/json").body("{}").post("/evaluations"), 405,
                "method-not-allowed");
        given().queryParam("limit", 500).get("/evaluations").then().statusCode(200);
    }

    private static void assertKind(Response response, int status, String kind) {
        response.then().statusCode(status).contentType("application/problem+json")
                .body("type", equalTo("https://finetune.dev/problems/" + kind))
                .body("status", equalTo(status));
    }
}

package dev.finetune.support.problem;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Each kind of failure a resource raises answers problem+json with its status and a usable detail. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class ProblemMappersTests {

    @Test
    void anInvalidArgumentIsA400WithItsMessage() {
        given().get("/problems/invalid").then()
                .statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(400))
                .body("title", equalTo("Bad Request"))
                .body("type", equalTo("about:blank"))
                .body("detail", equalTo("size must be at most 64, was 65"));
    }

    @Test
    void somethingMissingIsA404() {
        given().get("/problems/missing").then()
                .statusCode(404)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(404))
                .body("detail", equalTo("no data set named reviews"));
    }

    @Test
    void aWebApplicationExceptionKeepsItsStatus() {
        given().get("/problems/conflict").then()
                .statusCode(409)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(409))
                .body("title", equalTo("Conflict"))
                .body("detail", equalTo("data set reviews is busy"));
    }

    @Test
    void unreadableJsonIsA400SayingWhy() {
        given().contentType("application/json").body("{\"name\": \"x\", \"size\": ").post("/problems").then()
                .statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(400))
                .body("detail", containsString("unreadable JSON"));
    }

    @Test
    void aWellFormedRequestIsNotAProblem() {
        given().contentType("application/json").body("{\"name\": \"x\", \"size\": 3}").post("/problems").then()
                .statusCode(200)
                .body(equalTo("x"));
    }
}

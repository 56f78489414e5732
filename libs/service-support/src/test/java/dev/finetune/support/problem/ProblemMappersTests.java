package dev.finetune.support.problem;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import dev.finetune.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
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
                .body("type", equalTo("https://finetune.dev/problems/invalid-request"))
                .body("detail", equalTo("size must be at most 64, was 65"));
    }

    @Test
    void somethingMissingIsA404() {
        given().get("/problems/missing").then()
                .statusCode(404)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(404))
                .body("type", equalTo("https://finetune.dev/problems/not-found"))
                .body("detail", equalTo("no data set named reviews"));
    }

    @Test
    void aWebApplicationExceptionKeepsItsStatus() {
        given().get("/problems/conflict").then()
                .statusCode(409)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(409))
                .body("title", equalTo("Conflict"))
                .body("type", equalTo("https://finetune.dev/problems/conflict"))
                .body("detail", equalTo("data set reviews is busy"));
    }

    @Test
    void unreadableJsonIsA400SayingWhy() {
        given().contentType("application/json").body("{\"name\": \"x\", \"size\": ").post("/problems").then()
                .statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(400))
                .body("type", equalTo("https://finetune.dev/problems/unreadable-json"))
                .body("detail", containsString("unreadable JSON"));
    }

    @Test
    void aStatusWithoutAKindOfItsOwnIsNamedByItsCode() {
        given().get("/problems/unprocessable").then()
                .statusCode(422)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo("https://finetune.dev/problems/http-422"))
                .body("detail", equalTo("no such label"));
    }

    @Test
    void anUnexpectedExceptionIsA500WithAnErrorIdAndNothingOfItsInternals() {
        String body = given().get("/problems/bug").then()
                .statusCode(500)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(500))
                .body("type", equalTo("https://finetune.dev/problems/internal-error"))
                .body("errorId", matchesPattern("[0-9a-f-]{36}"))
                .extract().asString();
        String errorId = JsonPath.from(body).getString("errorId");
        assertThat(JsonPath.from(body).getString("detail")).endsWith("error id " + errorId);
        assertThat(body).doesNotContain("10.0.0.7", "IllegalStateException", "at dev.finetune", "<html");
    }

    @Test
    void aWellFormedRequestIsNotAProblem() {
        given().contentType("application/json").body("{\"name\": \"x\", \"size\": 3}").post("/problems").then()
                .statusCode(200)
                .body(equalTo("x"));
    }
}

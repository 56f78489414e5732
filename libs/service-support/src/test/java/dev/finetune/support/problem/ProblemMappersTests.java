package dev.finetune.support.problem;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

/**
 * Each kind of failure a resource raises answers problem+json with its status and its exact type; only a
 * ProblemException, a refused body or the framework make a 4xx, anything else is a 500 with an error id.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class ProblemMappersTests {

    private static final String TYPE = "https://finetune.dev/problems/";

    @Test
    void aProblemExceptionAnswersWithItsKindStatusTitleDetailPathAndMembers() {
        given().auth().oauth2(TestTokens.teamA()).get("/problems/refused").then()
                .statusCode(409)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "dataset-busy"))
                .body("title", equalTo("The data set is busy"))
                .body("status", equalTo(409))
                .body("detail", equalTo("data set reviews is busy"))
                .body("instance", equalTo("/problems/refused"))
                .body("dataset", equalTo("reviews"));
    }

    @Test
    void aRefusalThatPassesByWaitingSaysWhenToRetry() {
        given().auth().oauth2(TestTokens.teamA()).get("/problems/busy").then()
                .statusCode(429)
                .contentType(Problem.MEDIA_TYPE)
                .header("Retry-After", "5")
                .body("type", equalTo(TYPE + "too-busy"));
        given().auth().oauth2(TestTokens.teamA()).get("/problems/refused").then()
                .statusCode(409)
                .header("Retry-After", nullValue());
    }

    @Test
    void anUnknownPathIsA404NotFound() {
        given().auth().oauth2(TestTokens.teamA()).get("/nowhere").then()
                .statusCode(404)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "not-found"));
    }

    @Test
    void aWrongMethodAndAWrongMediaTypeAreNamedByTheirKinds() {
        given().auth().oauth2(TestTokens.teamA()).delete("/problems").then().statusCode(405).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "method-not-allowed"));
        given().auth().oauth2(TestTokens.teamA()).contentType("text/plain").body("x").post("/problems").then().statusCode(415)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "unsupported-media-type"));
    }

    @Test
    void aStatusWithoutAKindOfItsOwnIsNamedByItsCode() {
        given().auth().oauth2(TestTokens.teamA()).get("/problems/unprocessable").then()
                .statusCode(422)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "http-422"))
                .body("detail", equalTo("no such label"));
    }

    @Test
    void unreadableJsonIsA400SayingWhy() {
        post("{\"name\": \"x\", \"size\": ").statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "unreadable-json"))
                .body("detail", containsString("unreadable JSON"));
    }

    @Test
    void aMissingBodyIsA400MissingBody() {
        given().auth().oauth2(TestTokens.teamA()).contentType("application/json").post("/problems").then()
                .statusCode(400)
                .contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "missing-body"));
    }

    @Test
    void anUnknownFieldIsRefusedAndNamed() {
        post("{\"name\": \"x\", \"size\": 3, \"sise\": 4}").statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "unknown-field"))
                .body("field", equalTo("sise"))
                .body("detail", equalTo("unknown field 'sise'; the fields are [name, size]"));
    }

    @Test
    void aFieldOfTheWrongJsonTypeIsRefusedNotCoerced() {
        post("{\"name\": \"x\", \"size\": \"3\"}").statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "wrong-json-type"))
                .body("field", equalTo("size"))
                .body("detail", equalTo("field 'size' must be a whole number"));
        post("{\"name\": \"x\", \"size\": 3.7}").statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "wrong-json-type"));
        post("{\"name\": 5, \"size\": 3}").statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "wrong-json-type"))
                .body("field", equalTo("name"));
        post("{\"name\": \"x\", \"size\": null}").statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "wrong-json-type"));
        post("[1, 2]").statusCode(400).contentType(Problem.MEDIA_TYPE)
                .body("type", equalTo(TYPE + "unreadable-json"));
    }

    @Test
    void anIllegalArgumentFromInsideAHandlerIsA500WithAnErrorIdAndNothingOfItsText() {
        assertInternal(given().auth().oauth2(TestTokens.teamA()).get("/problems/library").then(), "bad key", "/etc/secret", "IllegalArgumentException");
    }

    @Test
    void anIllegalStateFromInsideAHandlerIsA500WithAnErrorIdAndNothingOfItsText() {
        assertInternal(given().auth().oauth2(TestTokens.teamA()).get("/problems/bug").then(), "connection pool", "10.0.0.7", "IllegalStateException");
    }

    @Test
    void aWellFormedRequestIsNotAProblem() {
        post("{\"name\": \"x\", \"size\": 3}").statusCode(200).body(equalTo("x:3"));
    }

    private static ValidatableResponse post(String body) {
        return given().auth().oauth2(TestTokens.teamA()).contentType("application/json").body(body).post("/problems").then().log().ifValidationFails();
    }

    private static void assertInternal(ValidatableResponse response, String... secrets) {
        String body = response
                .statusCode(500)
                .contentType(Problem.MEDIA_TYPE)
                .body("status", equalTo(500))
                .body("type", equalTo(TYPE + "internal-error"))
                .body("errorId", matchesPattern("[0-9a-f-]{36}"))
                .extract().asString();
        String errorId = JsonPath.from(body).getString("errorId");
        assertThat(JsonPath.from(body).getString("detail")).endsWith("error id " + errorId);
        assertThat(body).doesNotContain(secrets).doesNotContain("at dev.finetune", "<html");
    }
}

package dev.finetune.registry.api;

import static dev.finetune.testing.ProblemAssertions.assertProblem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The bad-input suite of the registry API: a refused policy, promotion or prediction answers problem+json of its
 * documented kind, and the stored policy stays as it was.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class BadInputIT {

    @Test
    void aPolicyOutOfItsRangesIsRefusedNamingTheFieldAndNothingIsStored() {
        String model = "policy-bounds-" + UUID.randomUUID();
        putPolicy(model, "{\"minAccuracy\": 0.8, \"maxLatencyP95Ms\": 50}").then().statusCode(200);
        Map<String, String[]> refused = new LinkedHashMap<>();
        refused.put("{\"minAccuracy\": \"NaN\"}", new String[] {"minAccuracy", "[0, 1]"});
        refused.put("{\"minAccuracy\": 1.5}", new String[] {"minAccuracy", "[0, 1]"});
        refused.put("{\"minMacroF1\": -0.1}", new String[] {"minMacroF1", "[0, 1]"});
        refused.put("{\"maxEce\": \"Infinity\"}", new String[] {"maxEce", "[0, 1]"});
        refused.put("{\"significanceLevel\": 2}", new String[] {"significanceLevel", "[0, 1]"});
        refused.put("{\"minImprovement\": -3}", new String[] {"minImprovement", "[-1, 1]"});
        refused.put("{\"maxLabelF1Regression\": 1.01}", new String[] {"maxLabelF1Regression", "[0, 1]"});
        refused.put("{\"maxLatencyP95Ms\": 0}", new String[] {"maxLatencyP95Ms", "(0, 60000]"});
        refused.put("{\"maxLatencyP95Ms\": 1e300}", new String[] {"maxLatencyP95Ms", "(0, 60000]"});
        refused.forEach((body, fieldAndBound) -> assertProblem(putPolicy(model, body), 400, "invalid-policy")
                .body("field", equalTo(fieldAndBound[0]))
                .body("bound", equalTo(fieldAndBound[1]))
                .body("instance", equalTo("/models/" + model + "/policy")));

        Map<String, String> unreadable = new LinkedHashMap<>();
        unreadable.put("", "missing-body");
        unreadable.put("{\"minAcuracy\": 0.9}", "unknown-field");
        unreadable.put("{\"minAccuracy\": \"high\"}", "wrong-json-type");
        unreadable.put("{\"minAccuracy\": [0.9]}", "wrong-json-type");
        unreadable.put("{\"minAccuracy\": ", "unreadable-json");
        unreadable.forEach((body, kind) -> assertProblem(putPolicy(model, body), 400, kind));

        given().auth().oauth2(TestTokens.teamA()).get("/models/" + model + "/policy").then().statusCode(200)
                .body("minAccuracy", equalTo(0.8f))
                .body("maxLatencyP95Ms", equalTo(50.0f));
    }

    @Test
    void aPromotionOrPredictionBodyThatIsMissingOrMistypedHasItsKind() {
        String model = "nobody-" + UUID.randomUUID();
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).post("/models/" + model + "/rollback"), 400, "missing-body");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"reason\": \"x\", \"who\": \"erin\"}")
                .post("/models/" + model + "/versions/1/promote"), 400, "unknown-field");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"reason\": \"x\"}")
                .post("/models/" + model + "/versions/1/promote"), 404, "model-version-not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).post("/models/" + model + "/predict"), 400, "missing-body");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"inputs\": \"one text\"}")
                .post("/models/" + model + "/predict"), 400, "wrong-json-type");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"inputs\": [\"a\", null]}")
                .post("/models/" + model + "/predict"), 400, "invalid-inputs");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"inputs\": [\"a\", 7]}")
                .post("/models/" + model + "/predict"), 400, "wrong-json-type");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/models/" + model), 404, "model-not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/models/" + model + "/versions/2"), 404, "model-version-not-found");
    }

    @Test
    void headersThatDoNotFitAreRefusedWithTheirKindAndThePolicyStaysAsItWas() {
        String model = "policy-headers-" + UUID.randomUUID();
        putPolicy(model, "{\"minAccuracy\": 0.8}").then().statusCode(200);
        String path = "/models/" + model + "/policy";
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.TEXT).body("{\"minAccuracy\": 0.1}")
                .put(path), 415, "unsupported-media-type");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType("application/xml").body("<minAccuracy>0.1</minAccuracy>")
                .put(path), 415, "unsupported-media-type");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).accept(ContentType.XML).get(path), 406, "not-acceptable");
        // A bearer that is not a token, another scheme, and no scheme at all: each 401, with the challenge.
        for (String authorization : new String[] {"Bearer not-a-jwt", "Basic cmVhZGVyOnNlY3JldA==", "Bearer"}) {
            assertProblem(given().header("Authorization", authorization).contentType(ContentType.JSON)
                    .body("{\"minAccuracy\": 0.1}").put(path), 401, "unauthenticated")
                    .header("WWW-Authenticate", "Bearer");
        }
        given().auth().oauth2(TestTokens.teamA()).get(path).then().statusCode(200).body("minAccuracy", equalTo(0.8f));
    }

    private static Response putPolicy(String model, String body) {
        return given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body(body).put("/models/" + model + "/policy");
    }
}

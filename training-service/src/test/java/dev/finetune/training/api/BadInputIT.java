package dev.finetune.training.api;

import static dev.finetune.testing.ProblemAssertions.assertProblem;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.training.domain.RunStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The bad-input suite of the training API: every refused configuration, run request and parameter answers
 * problem+json of its documented kind, and nothing is stored or changed.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class BadInputIT {

    private static final String STORED = "{\"epochs\": 4, \"batchSize\": 8}";

    @Inject
    RunStore runs;

    @Test
    void aConfigurationOutOfItsBoundsIsRefusedNamingFieldAndBoundAndNothingIsStored() {
        String dataset = "bounds-" + UUID.randomUUID();
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body(STORED).put("/training-configs/" + dataset).then().statusCode(200);
        // body -> {field, bound}
        Map<String, String[]> refused = new LinkedHashMap<>();
        refused.put("{\"epochs\": 2147483647}", new String[] {"epochs", "1..100"});
        refused.put("{\"epochs\": 0}", new String[] {"epochs", "1..100"});
        refused.put("{\"batchSize\": 2147483647}", new String[] {"batchSize", "1..1024"});
        refused.put("{\"maxLength\": 100000}", new String[] {"maxLength", "8..512"});
        refused.put("{\"maxLength\": 4}", new String[] {"maxLength", "8..512"});
        refused.put("{\"lastLayers\": 13}", new String[] {"lastLayers", "0..12"});
        refused.put("{\"maxSteps\": 1000001}", new String[] {"maxSteps", "0..1000000"});
        refused.put("{\"earlyStoppingPatience\": -1}", new String[] {"earlyStoppingPatience", "0..100"});
        refused.put("{\"learningRate\": 1e39}", new String[] {"learningRate", "a finite number in (0, 1]"});
        // Jackson reads the strings "NaN" and "Infinity" as those floats whatever the coercion rules: the bound
        // check is what refuses them.
        refused.put("{\"learningRate\": \"NaN\"}", new String[] {"learningRate", "a finite number in (0, 1]"});
        refused.put("{\"learningRate\": 0}", new String[] {"learningRate", "a finite number in (0, 1]"});
        refused.put("{\"headLearningRate\": 1.5}", new String[] {"headLearningRate", "a finite number in (0, 1]"});
        refused.put("{\"baseModel\": \"gpt-99\"}", new String[] {"baseModel",
                "one of [sentence-transformers/all-MiniLM-L6-v2, BAAI/bge-small-en-v1.5]"});
        refused.put("{\"strategy\": \"sideways\"}", new String[] {"strategy", "full, head or last-n"});
        refused.forEach((body, fieldAndBound) -> {
            Response problem = put(dataset, body);
            assertProblem(problem, 400, "invalid-hyperparameters")
                    .body("field", equalTo(fieldAndBound[0]))
                    .body("bound", equalTo(fieldAndBound[1]))
                    .body("instance", equalTo("/training-configs/" + dataset));
            assertThat(problem.<String>path("detail")).as(body).startsWith(fieldAndBound[0] + " must be ");
        });
        assertUnchanged(dataset);
    }

    @Test
    void aConfigurationBodyThatIsMissingUnknownOrMistypedIsRefusedAndNothingIsStored() {
        String dataset = "body-" + UUID.randomUUID();
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body(STORED).put("/training-configs/" + dataset).then().statusCode(200);
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put("", "missing-body");
        refused.put("{\"epoch\": 3}", "unknown-field");
        refused.put("{\"epochs\": \"3\"}", "wrong-json-type");
        refused.put("{\"epochs\": 2.5}", "wrong-json-type");
        refused.put("{\"learningRate\": NaN}", "unreadable-json");
        refused.put("[3]", "unreadable-json");
        refused.forEach((body, kind) -> assertProblem(put(dataset, body), 400, kind));
        assertUnchanged(dataset);
    }

    @Test
    void aRunRequestThatIsMissingIncompleteOrOutOfBoundsIsRefusedAndQueuesNothing() {
        String dataset = "runs-" + UUID.randomUUID();
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).post("/runs"), 400, "missing-body");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"dataset\": \"" + dataset + "\"}").post("/runs"),
                400, "missing-field");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"dataset\": \"" + dataset
                + "\", \"version\": 1, \"hyperparameters\": {\"batchSize\": 4096}}").post("/runs"), 400,
                "invalid-hyperparameters");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"dataset\": \"" + dataset
                + "\", \"version\": 1, \"overrides\": {}}").post("/runs"), 400, "unknown-field");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"dataset\": \"" + dataset + "\", \"version\": 1}")
                .post("/runs"), 404, "dataset-version-unknown");
        assertThat(runs.list(dataset, null, 10)).isEmpty();
    }

    @Test
    void eachMissingRunAndBadParameterHasAKindOfItsOwn() {
        UUID nobody = UUID.randomUUID();
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/runs/" + nobody), 404, "run-not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).post("/runs/" + nobody + "/cancel"), 404, "run-not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/runs?status=sleeping"), 400, "invalid-parameter");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/runs/not-a-uuid"), 404, "not-found");
        // A run id that is not a UUID names no run, whatever the operation: 404, never a 500.
        assertProblem(given().auth().oauth2(TestTokens.teamA()).post("/runs/not-a-uuid/cancel"), 404, "not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).post("/runs/not-a-uuid/retry"), 404, "not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).get("/runs/not-a-uuid/events"), 404, "not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).post("/runs/" + nobody + "/retry"), 404, "run-not-found");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).delete("/runs"), 405, "method-not-allowed");
    }

    @Test
    void headersThatDoNotFitAreRefusedWithTheirKindAndNothingIsStored() {
        String dataset = "headers-" + UUID.randomUUID();
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body(STORED).put("/training-configs/" + dataset).then().statusCode(200);
        String path = "/training-configs/" + dataset;
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.TEXT).body("{\"epochs\": 9}").put(path),
                415, "unsupported-media-type");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.TEXT).body("{\"dataset\": \"" + dataset
                + "\", \"version\": 1}").post("/runs"), 415, "unsupported-media-type");
        assertProblem(given().auth().oauth2(TestTokens.teamA()).accept(ContentType.XML).get(path), 406, "not-acceptable");
        // A bearer that is not a token, another scheme, and no scheme at all: each 401, with the challenge.
        for (String authorization : new String[] {"Bearer not-a-jwt", "Basic cmVhZGVyOnNlY3JldA==", "Bearer"}) {
            assertProblem(given().header("Authorization", authorization).contentType(ContentType.JSON)
                    .body("{\"epochs\": 9}").put(path), 401, "unauthenticated")
                    .header("WWW-Authenticate", "Bearer");
        }
        assertUnchanged(dataset);
        assertThat(runs.list(dataset, null, 10)).isEmpty();
    }

    private static Response put(String dataset, String body) {
        return given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body(body).put("/training-configs/" + dataset);
    }

    private static void assertUnchanged(String dataset) {
        given().auth().oauth2(TestTokens.teamA()).get("/training-configs/" + dataset).then().statusCode(200)
                .body("configured.epochs", equalTo(4))
                .body("configured.batchSize", equalTo(8))
                .body("configured.size()", equalTo(2));
    }

}

package dev.finetune.registry.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EvaluationCompleted;
import dev.finetune.events.EventMeta;
import dev.finetune.events.Lineage;
import dev.finetune.registry.domain.Registry;
import dev.finetune.testing.AccessContract;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Who may do what on the registry API: the sign-in contract derived from the OpenAPI document (every operation 401
 * without a token, 403 without its role, admitted with it), and one team unable to see, change or use another
 * team's model.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class AccessIT {

    private static final String PROBLEMS = "https://finetune.dev/problems/";
    /** Fails the default policy: the version is registered (rejected) and nothing is served. */
    private static final Map<String, Double> POOR = Map.of("accuracy", 0.4, "macroF1", 0.35, "ece", 0.05,
            "latencyP95Ms", 12.0);

    @TestHTTPResource("/")
    URI base;

    @Inject
    Registry registry;

    @Test
    void everyOperationNeedsATokenOfOurIssuerAndItsRole() {
        new AccessContract(base).assertHoldsForTestTokens("GET /models", "PUT /models/{name}/policy", "POST /models/{name}/rollback",
                        "POST /models/{name}/predict");
    }

    @Test
    void oneTeamCannotSeeChangeOrUseAnotherTeamsModel() {
        String model = "access-" + UUID.randomUUID();
        registry.decide(evaluation(model, FinetuneRealm.TEAM_B));

        // Team-a may do everything, but not to team-b's model: it answers as if the model did not exist.
        String teamA = TestTokens.teamA();
        given().auth().oauth2(teamA).get("/models/" + model).then().statusCode(404)
                .body("type", equalTo(PROBLEMS + "model-not-found"));
        given().auth().oauth2(teamA).get("/models/" + model + "/versions/1").then().statusCode(404);
        given().auth().oauth2(teamA).get("/models/" + model + "/audit").then().statusCode(404);
        given().auth().oauth2(teamA).get("/models/" + model + "/policy").then().statusCode(404);
        given().auth().oauth2(teamA).get("/models").then().statusCode(200).body("name", not(hasItem(model)));
        given().auth().oauth2(teamA).contentType(ContentType.JSON).body("{\"minAccuracy\": 0.1}")
                .put("/models/" + model + "/policy").then().statusCode(404);
        given().auth().oauth2(teamA).contentType(ContentType.JSON).body("{\"reason\": \"mine now\"}")
                .post("/models/" + model + "/versions/1/promote").then().statusCode(404);
        given().auth().oauth2(teamA).contentType(ContentType.JSON).body("{\"reason\": \"undo\"}")
                .post("/models/" + model + "/rollback").then().statusCode(404);
        given().auth().oauth2(teamA).contentType(ContentType.JSON).body("{\"inputs\": [\"a\"]}")
                .post("/models/" + model + "/predict").then().statusCode(404);
        assertThat(registry.audit(model)).isEmpty();

        // Team-b reads it, and its approver sets its policy; its reader may not.
        String readerB = TestTokens.user(FinetuneRealm.READER, FinetuneRealm.TEAM_B);
        given().auth().oauth2(readerB).get("/models/" + model).then().statusCode(200)
                .body("versions[0].status", equalTo("rejected"))
                .body("versions[0].lineage.team", equalTo(FinetuneRealm.TEAM_B));
        given().auth().oauth2(readerB).get("/models").then().statusCode(200).body("name", hasItem(model));
        given().auth().oauth2(readerB).contentType(ContentType.JSON).body("{\"minAccuracy\": 0.3}")
                .put("/models/" + model + "/policy").then().statusCode(403);
        given().auth().oauth2(TestTokens.user(FinetuneRealm.APPROVER, FinetuneRealm.TEAM_B))
                .contentType(ContentType.JSON).body("{\"minAccuracy\": 0.3}")
                .put("/models/" + model + "/policy").then().statusCode(200).body("minAccuracy", equalTo(0.3f));

        // An admin reads and acts on every team's model; what it sets stays the model's team's.
        given().auth().oauth2(TestTokens.admin()).get("/models/" + model).then().statusCode(200);
        given().auth().oauth2(TestTokens.admin()).contentType(ContentType.JSON).body("{\"minAccuracy\": 0.35}")
                .put("/models/" + model + "/policy").then().statusCode(200);
        assertThat(registry.teamOf(model)).contains(FinetuneRealm.TEAM_B);
        given().auth().oauth2(readerB).get("/models/" + model + "/policy").then().statusCode(200)
                .body("minAccuracy", equalTo(0.35f));
    }

    @Test
    void aPolicySetBeforeTheModelExistsBelongsToTheTeamThatSetIt() {
        String model = "early-" + UUID.randomUUID();
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"minAccuracy\": 0.9}")
                .put("/models/" + model + "/policy").then().statusCode(200);
        assertThat(registry.teamOf(model)).contains(FinetuneRealm.TEAM_A);
        given().auth().oauth2(TestTokens.user(FinetuneRealm.APPROVER, FinetuneRealm.TEAM_B))
                .get("/models/" + model + "/policy").then().statusCode(404);
        given().auth().oauth2(TestTokens.user(FinetuneRealm.APPROVER, FinetuneRealm.TEAM_B))
                .contentType(ContentType.JSON).body("{\"minAccuracy\": 0.1}")
                .put("/models/" + model + "/policy").then().statusCode(404);
        // An admin of no team names the team owning a policy it sets for a model not registered yet.
        given().auth().oauth2(TestTokens.admin()).contentType(ContentType.JSON).body("{\"minAccuracy\": 0.9}")
                .put("/models/other-" + model + "/policy").then().statusCode(400)
                .body("type", equalTo(PROBLEMS + "team-required"));
        given().auth().oauth2(TestTokens.admin()).contentType(ContentType.JSON).body("{\"minAccuracy\": 0.9}")
                .put("/models/other-" + model + "/policy?team=team-b").then().statusCode(200);
        assertThat(registry.teamOf("other-" + model)).contains(FinetuneRealm.TEAM_B);
    }

    /** A succeeded evaluation of {@code team}'s candidate that fails the default policy. */
    private static EvaluationCompleted evaluation(String model, String team) {
        String run = UUID.randomUUID().toString();
        String prefix = "s3://finetune/datasets/" + model + "/v1/";
        Map<String, DatasetPrepared.SplitRef> splits = Map.of(
                "test", new DatasetPrepared.SplitRef(prefix + "test.jsonl.gz", "ab".repeat(32), 30));
        return new EvaluationCompleted(EventMeta.next("evaluation-service", model + "-v1"), UUID.randomUUID().toString(),
                EvaluationCompleted.Status.SUCCEEDED, null, model,
                new Lineage(model, team, 1, prefix + "manifest.json", run, "s3://finetune/models/" + run + "/model.zip",
                        "cd".repeat(32), 12, splits),
                POOR, Map.of("food", 0.4), null, "s3://finetune/reports/" + run + "/report.json");
    }
}

package dev.finetune.dataset.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.finetune.dataset.Fixtures;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.testing.AccessContract;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Who may do what on the data set API: the sign-in contract derived from the OpenAPI document (every operation
 * 401 without a token, 403 without its role, admitted with it), the team that creates a data set owning it
 * (and saying so in datasets.prepared), and one team unable to see or change another team's data set.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class AccessIT {

    @TestHTTPResource("/")
    URI base;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Test
    void everyOperationNeedsATokenOfOurIssuerAndItsRole() {
        new AccessContract(base).assertHoldsForTestTokens("GET /datasets", "POST /datasets/{name}/versions", "DELETE /datasets/{name}");
    }

    @Test
    void theUploadingTeamOwnsANewDataSetAndItsEvents() {
        String name = Fixtures.name("owned");
        upload(TestTokens.teamA(), name, null).then().statusCode(201);
        given().auth().oauth2(TestTokens.teamA()).get("/datasets/{name}", name).then().statusCode(200)
                .body("team", equalTo(FinetuneRealm.TEAM_A));
        assertThat(Fixtures.exactlyPrepared(bootstrapServers, name, 1)).extracting(DatasetPrepared::team)
                .containsExactly(FinetuneRealm.TEAM_A);

        // A caller names only one of its own teams; one acting for none (an admin) must name it.
        upload(TestTokens.teamA(), Fixtures.name("not-mine"), FinetuneRealm.TEAM_B).then().statusCode(403)
                .body("type", equalTo("https://finetune.dev/problems/team-forbidden"));
        upload(TestTokens.admin(), Fixtures.name("whose"), null).then().statusCode(400)
                .body("type", equalTo("https://finetune.dev/problems/team-required"));
    }

    @Test
    void oneTeamCannotSeeOrChangeAnotherTeamsDataSet() {
        String name = Fixtures.name("team-b");
        upload(TestTokens.admin(), name, FinetuneRealm.TEAM_B).then().statusCode(201);

        String teamA = TestTokens.teamA();
        given().auth().oauth2(teamA).get("/datasets/{name}", name).then().statusCode(404)
                .body("type", equalTo("https://finetune.dev/problems/dataset-not-found"));
        given().auth().oauth2(teamA).get("/datasets/{name}/versions/1", name).then().statusCode(404);
        given().auth().oauth2(teamA).get("/datasets/{name}/versions/1/splits/train", name).then().statusCode(404);
        given().auth().oauth2(teamA).get("/datasets").then().statusCode(200).body("name", not(hasItem(name)));
        upload(teamA, name, null).then().statusCode(404);
        given().auth().oauth2(teamA).post("/datasets/{name}/prepare", name).then().statusCode(404);
        given().auth().oauth2(teamA).contentType("application/json").body("{}")
                .put("/datasets/{name}/trigger", name).then().statusCode(404);
        given().auth().oauth2(teamA).delete("/datasets/{name}", name).then().statusCode(404);

        String teamB = TestTokens.user(FinetuneRealm.READER, FinetuneRealm.TEAM_B);
        given().auth().oauth2(teamB).get("/datasets/{name}", name).then().statusCode(200)
                .body("team", equalTo(FinetuneRealm.TEAM_B));
        given().auth().oauth2(teamB).get("/datasets").then().statusCode(200).body("name", hasItem(name));
        upload(teamB, name, null).then().statusCode(403)
                .body("type", equalTo("https://finetune.dev/problems/forbidden"));

        given().auth().oauth2(TestTokens.admin()).delete("/datasets/{name}", name).then().statusCode(204);
    }

    private static Response upload(String token, String name, String team) {
        var request = given().auth().oauth2(token).contentType("application/x-ndjson")
                .body(Fixtures.jsonl(0, 40).getBytes(StandardCharsets.UTF_8));
        if (team != null) {
            request = request.queryParam("team", team);
        }
        return request.when().post("/datasets/{name}/versions", name);
    }
}

package dev.finetune.training.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventMeta;
import dev.finetune.testing.AccessContract;
import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import dev.finetune.training.TrainingFixtures;
import dev.finetune.training.domain.Hyperparameters;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunSource;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Who may do what on the training API: the sign-in contract derived from the OpenAPI document (every operation
 * 401 without a token, 403 without its role, admitted with it), one team unable to see, start, cancel, retry or
 * configure what another team's data set trains, and a configuration of one team never steering another team's run.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class AccessIT {

    @TestHTTPResource("/")
    URI base;

    @Inject
    RunStore runs;

    @Test
    void everyOperationNeedsATokenOfOurIssuerAndItsRole() {
        new AccessContract(base).assertHoldsForTestTokens("GET /runs", "POST /runs", "GET /runs/{id}", "POST /runs/{id}/cancel",
                        "POST /runs/{id}/retry", "GET /runs/{id}/events", "GET /training-configs/{dataset}",
                        "PUT /training-configs/{dataset}", "GET /base-models");
    }

    @Test
    void oneTeamCannotSeeStartCancelRetryOrConfigureAnotherTeamsRuns() {
        String dataset = "access-" + UUID.randomUUID();
        Run run = failedRunOf(FinetuneRealm.TEAM_B, dataset);
        String id = run.id.toString();

        String teamA = TestTokens.user(FinetuneRealm.CONTRIBUTOR, FinetuneRealm.TEAM_A);
        given().auth().oauth2(teamA).get("/runs/" + id).then().statusCode(404)
                .body("type", equalTo("https://finetune.dev/problems/run-not-found"));
        given().auth().oauth2(teamA).get("/runs/" + id + "/events").then().statusCode(404);
        given().auth().oauth2(teamA).post("/runs/" + id + "/cancel").then().statusCode(404);
        given().auth().oauth2(teamA).post("/runs/" + id + "/retry").then().statusCode(404);
        given().auth().oauth2(teamA).get("/runs").then().statusCode(200).body("id", not(hasItem(id)));
        given().auth().oauth2(teamA).contentType(ContentType.JSON).body("{\"dataset\": \"" + dataset + "\", \"version\": 1}")
                .post("/runs").then().statusCode(404)
                .body("type", equalTo("https://finetune.dev/problems/dataset-version-unknown"));
        given().auth().oauth2(teamA).get("/training-configs/" + dataset).then().statusCode(404);
        given().auth().oauth2(teamA).contentType(ContentType.JSON).body("{\"epochs\": 2}")
                .put("/training-configs/" + dataset).then().statusCode(404);

        String teamBReader = TestTokens.user(FinetuneRealm.READER, FinetuneRealm.TEAM_B);
        given().auth().oauth2(teamBReader).get("/runs/" + id).then().statusCode(200).body("run.team", equalTo("team-b"));
        given().auth().oauth2(teamBReader).get("/runs").then().statusCode(200).body("id", hasItem(id));
        given().auth().oauth2(teamBReader).post("/runs/" + id + "/retry").then().statusCode(403)
                .body("type", equalTo("https://finetune.dev/problems/forbidden"));

        String teamB = TestTokens.user(FinetuneRealm.CONTRIBUTOR, FinetuneRealm.TEAM_B);
        given().auth().oauth2(teamB).contentType(ContentType.JSON).body("{\"epochs\": 2}")
                .put("/training-configs/" + dataset).then().statusCode(200).body("team", equalTo("team-b"));
        given().auth().oauth2(teamB).post("/runs/" + id + "/retry").then().statusCode(201)
                .body("team", equalTo("team-b"));
        given().auth().oauth2(TestTokens.admin()).get("/runs/" + id).then().statusCode(200);
    }

    @Test
    void aConfigurationIsOwnedByItsTeamAndAnotherTeamsRunTrainsWithTheDefaults() {
        String dataset = "config-" + UUID.randomUUID();
        // Nobody knows the data set yet: the caller's team owns what it configures.
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"epochs\": 7}")
                .put("/training-configs/" + dataset).then().statusCode(200)
                .body("team", equalTo("team-a")).body("effective.epochs", equalTo(7));
        String teamB = TestTokens.user(FinetuneRealm.CONTRIBUTOR, FinetuneRealm.TEAM_B);
        given().auth().oauth2(teamB).contentType(ContentType.JSON).body("{\"epochs\": 5}")
                .put("/training-configs/" + dataset).then().statusCode(404);

        // The data set turns out to be team-b's: its run ignores team-a's configuration.
        Run run = runs.enqueue(RunSource.of(unstored(FinetuneRealm.TEAM_B, dataset)), Hyperparameters.NONE).run();
        assertThat(run.team).isEqualTo("team-b");
        assertThat(RunStore.read(run.hyperparameters, Hyperparameters.class).epochs()).isNotEqualTo(7);
        // ...and team-b owns the configuration from now on.
        given().auth().oauth2(TestTokens.teamA()).get("/training-configs/" + dataset).then().statusCode(404);
        given().auth().oauth2(teamB).get("/training-configs/" + dataset).then().statusCode(200)
                .body("team", equalTo("team-b")).body("configured.epochs", equalTo(null));
    }

    /** A run of {@code team}'s data set whose splits were never stored: it fails at once. */
    private Run failedRunOf(String team, String dataset) {
        Run run = runs.enqueue(RunSource.of(unstored(team, dataset)), Hyperparameters.NONE).run();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> runs.find(run.id).orElseThrow().status == RunStatus.FAILED);
        return run;
    }

    private static DatasetPrepared unstored(String team, String dataset) {
        DatasetPrepared e = TrainingFixtures.unstored(dataset, 1);
        return new DatasetPrepared(EventMeta.next("dataset-service", dataset + "-v1"), e.dataset(), team, e.version(),
                e.manifestUri(), e.splits(), e.labels(), e.contentSha256());
    }
}

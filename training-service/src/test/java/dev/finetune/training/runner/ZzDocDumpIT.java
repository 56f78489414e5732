package dev.finetune.training.runner;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import dev.finetune.events.DatasetPrepared;
import dev.finetune.events.EventCodec;
import dev.finetune.events.Topics;
import dev.finetune.storage.ArtifactStore;
import dev.finetune.testing.KafkaTestResource;
import dev.finetune.testing.PostgresTestResource;
import dev.finetune.testing.S3TestResource;
import dev.finetune.training.TrainingFixtures;
import dev.finetune.training.domain.Run;
import dev.finetune.training.domain.RunStatus;
import dev.finetune.training.domain.RunStore;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** TEMPORARY: captures real responses for the docs. Not to be committed. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(S3TestResource.class)
@WithTestResource(PostgresTestResource.class)
class ZzDocDumpIT {
    @Inject ArtifactStore store;
    @Inject RunStore runs;
    @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers;

    static StringBuilder out = new StringBuilder();

    static void dump(String title, Response r) {
        out.append("### ").append(title).append("\nHTTP ").append(r.statusCode()).append(" ")
                .append(r.contentType()).append(" ").append(r.headers().hasHeaderWithName("Location") ? r.header("Location") : "")
                .append("\n").append(r.asString()).append("\n\n");
        try { Files.writeString(Path.of("/tmp/docdump/training.txt"), out); } catch (Exception e) { throw new RuntimeException(e); }
    }

    @Test
    void dumpEverything() throws Exception {
        String dataset = "reviews";
        dump("GET config empty", given().get("/training-configs/" + dataset));
        dump("PUT config", given().contentType(ContentType.JSON).body("{\"strategy\": \"full\", \"epochs\": 2, \"batchSize\": 8, \"maxLength\": 16, \"earlyStoppingPatience\": 0}").put("/training-configs/" + dataset));
        dump("PUT config bad", given().contentType(ContentType.JSON).body("{\"strategy\": \"sideways\"}").put("/training-configs/" + dataset));
        dump("PUT config bad2", given().contentType(ContentType.JSON).body("{\"epochs\": 0}").put("/training-configs/" + dataset));
        dump("PUT config bad json", given().contentType(ContentType.JSON).body("{\"epochs\": ").put("/training-configs/" + dataset));
        DatasetPrepared event = TrainingFixtures.prepared(store, dataset, 24);
        KafkaCompanion kafka = new KafkaCompanion(bootstrapServers);
        kafka.produceStrings().fromRecords(new ProducerRecord<>(Topics.DATASETS_PREPARED, dataset, EventCodec.encode(event))).awaitCompletion();
        await().atMost(Duration.ofSeconds(60)).until(() -> !runs.list(dataset, null, 10).isEmpty());
        Run run = runs.list(dataset, null, 10).get(0);
        CompletableFuture<Response> sse = CompletableFuture.supplyAsync(() -> given().accept("text/event-stream").get("/runs/" + run.id + "/events"));
        dump("GET runs?dataset", given().get("/runs?dataset=" + dataset + "&status=running&limit=10"));
        dump("SSE", sse.get());
        await().atMost(Duration.ofMinutes(3)).until(() -> runs.find(run.id).orElseThrow().status.finished());
        dump("GET run", given().get("/runs/" + run.id));
        dump("GET runs", given().get("/runs?dataset=" + dataset));
        dump("SSE after end", given().accept("text/event-stream").get("/runs/" + run.id + "/events"));
        dump("POST runs", given().contentType(ContentType.JSON).body("{\"dataset\": \"reviews\", \"version\": 1, \"hyperparameters\": {\"epochs\": 200, \"seed\": 7}}").post("/runs"));
        dump("POST runs again", given().contentType(ContentType.JSON).body("{\"dataset\": \"reviews\", \"version\": 1, \"hyperparameters\": {\"epochs\": 200, \"seed\": 7}}").post("/runs"));
        dump("POST runs unknown", given().contentType(ContentType.JSON).body("{\"dataset\": \"nope\", \"version\": 1}").post("/runs"));
        dump("POST runs missing", given().contentType(ContentType.JSON).body("{\"dataset\": \"nope\"}").post("/runs"));
        Run second = runs.list(dataset, null, 10).get(0);
        await().atMost(Duration.ofMinutes(3)).until(() -> runs.find(second.id).orElseThrow().step > 0);
        dump("cancel", given().post("/runs/" + second.id + "/cancel"));
        await().atMost(Duration.ofSeconds(30)).until(() -> runs.find(second.id).orElseThrow().status == RunStatus.CANCELLED);
        dump("cancel again", given().post("/runs/" + second.id + "/cancel"));
        dump("GET run unknown", given().get("/runs/" + UUID.randomUUID()));
        dump("GET run bad id", given().get("/runs/xyz"));
        dump("GET runs bad status", given().get("/runs?status=bogus"));
        dump("metrics", given().get("/q/metrics"));
        dump("ready", given().get("/q/health/ready"));
        for (String topic : new String[] {Topics.TRAINING_PROGRESS, Topics.TRAINING_CHECKPOINTS, Topics.TRAINING_COMPLETED}) {
            kafka.consumeStrings().fromTopics(topic, Duration.ofSeconds(3)).awaitCompletion().getRecords()
                    .forEach(r -> out.append("EVENT ").append(topic).append(" ").append(r.value()).append("\n"));
        }
        Files.writeString(Path.of("/tmp/docdump/training.txt"), out);
        store.list("models/").forEach(k -> out.append("KEY ").append(k).append("\n"));
        Files.writeString(Path.of("/tmp/docdump/training.txt"), out);
        kafka.close();
    }
}

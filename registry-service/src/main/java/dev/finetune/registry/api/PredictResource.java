package dev.finetune.registry.api;

import dev.finetune.support.problem.Problem;

import dev.finetune.ml.classifier.Prediction;
import dev.finetune.registry.config.RegistrySettings;
import dev.finetune.registry.domain.Registry;
import dev.finetune.registry.serving.ModelServer;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/** Predictions from a model's production version. */
@Path("/models/{name}/predict")
public class PredictResource {

    public record PredictRequest(List<String> inputs) {
    }

    public record PredictResponse(String model, int version, List<Item> predictions) {
    }

    public record Item(String label, Map<String, Double> scores) {
    }

    private final ModelServer server;
    private final Registry registry;
    private final RegistrySettings settings;

    public PredictResource(ModelServer server, Registry registry, RegistrySettings settings) {
        this.server = server;
        this.registry = registry;
        this.settings = settings;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response predict(@PathParam("name") String name, PredictRequest request) {
        List<String> inputs = request == null ? null : request.inputs();
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException("\"inputs\" must be a non-empty array of texts");
        }
        if (inputs.size() > settings.serving().maxBatch()) {
            return Problem.response(Response.Status.REQUEST_ENTITY_TOO_LARGE, inputs.size()
                    + " inputs; at most " + settings.serving().maxBatch() + " per request");
        }
        for (int i = 0; i < inputs.size(); i++) {
            String text = inputs.get(i);
            if (text == null) {
                throw new IllegalArgumentException("inputs[" + i + "] is null");
            }
            if (text.length() > settings.serving().maxTextChars()) {
                return Problem.response(Response.Status.REQUEST_ENTITY_TOO_LARGE, "inputs[" + i + "] has "
                        + text.length() + " characters; at most " + settings.serving().maxTextChars());
            }
        }
        return server.predict(name, inputs)
                .map(answer -> Response.ok(new PredictResponse(answer.model(), answer.version(),
                        answer.predictions().stream().map(PredictResource::item).toList())).build())
                .orElseGet(() -> registry.production(name).isPresent()
                        ? Response.fromResponse(Problem.response(Response.Status.SERVICE_UNAVAILABLE,
                                "the production version of " + name + " is loading; retry shortly"))
                                .header("Retry-After", "2").build()
                        : Problem.response(Response.Status.NOT_FOUND, "model " + name + " has no production version"));
    }

    private static Item item(Prediction prediction) {
        return new Item(prediction.label(), prediction.probabilities());
    }
}

package dev.finetune.registry.api;

import dev.finetune.ml.classifier.Prediction;
import dev.finetune.registry.config.RegistrySettings;
import dev.finetune.registry.domain.Registry;
import dev.finetune.registry.domain.RegistryProblems;
import dev.finetune.registry.serving.ModelServer;
import dev.finetune.registry.serving.PredictGate;
import dev.finetune.support.access.Caller;
import dev.finetune.support.access.Roles;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
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
    private final Caller caller;
    private final PredictGate gate;

    public PredictResource(ModelServer server, Registry registry, RegistrySettings settings, Caller caller,
                           PredictGate gate) {
        this.server = server;
        this.registry = registry;
        this.settings = settings;
        this.caller = caller;
        this.gate = gate;
    }

    @POST
    @RolesAllowed(Roles.PREDICTOR)
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response predict(@PathParam("name") String name, PredictRequest request) {
        if (!gate.tryEnter()) {
            throw RegistryProblems.tooManyPredictions(settings.predict().maxConcurrent()).retryAfter(1);
        }
        try {
            return predictWithin(name, request);
        } finally {
            gate.release();
        }
    }

    private Response predictWithin(String name, PredictRequest request) {
        List<String> inputs = request.inputs();
        if (inputs == null || inputs.isEmpty()) {
            throw RegistryProblems.invalidInputs("\"inputs\" must be a non-empty array of texts");
        }
        if (inputs.size() > settings.serving().maxBatch()) {
            throw RegistryProblems.tooManyInputs(inputs.size(), settings.serving().maxBatch());
        }
        // Another team's model answers as one with nothing in production would, so its name does not leak.
        if (!registry.teamOf(name).map(caller::canRead).orElse(true)) {
            throw RegistryProblems.noProductionVersion(name);
        }
        for (int i = 0; i < inputs.size(); i++) {
            String text = inputs.get(i);
            if (text == null) {
                throw RegistryProblems.invalidInputs("inputs[" + i + "] is null");
            }
            if (text.length() > settings.serving().maxTextChars()) {
                throw RegistryProblems.inputTooLong(i, text.length(), settings.serving().maxTextChars());
            }
        }
        return server.predict(name, inputs)
                .map(answer -> Response.ok(new PredictResponse(answer.model(), answer.version(),
                        answer.predictions().stream().map(PredictResource::item).toList())).build())
                .orElseGet(() -> loadingOrNone(name));
    }

    /** Not served yet: 503 with Retry-After while the production version loads, 404 when there is none. */
    private Response loadingOrNone(String name) {
        if (registry.production(name).isEmpty()) {
            throw RegistryProblems.noProductionVersion(name);
        }
        throw RegistryProblems.modelLoading(name).retryAfter(2);
    }

    private static Item item(Prediction prediction) {
        return new Item(prediction.label(), prediction.probabilities());
    }
}

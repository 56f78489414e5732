package dev.finetune.registry.api;

import dev.finetune.ml.classifier.Prediction;
import dev.finetune.registry.config.RegistrySettings;
import dev.finetune.registry.domain.Registry;
import dev.finetune.registry.domain.RegistryProblems;
import dev.finetune.registry.serving.ModelServer;
import dev.finetune.registry.serving.PredictGate;
import dev.finetune.registry.serving.PredictTarget;
import dev.finetune.support.access.Caller;
import dev.finetune.support.access.Roles;
import io.smallrye.common.annotation.Blocking;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;

/**
 * Predictions from any version of a model: the production version by default, {@code ?alias=staging} the one an
 * alias points at, {@code ?version=3} a version by number. The response names the version that answered.
 */
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
    public Response predict(@PathParam("name") String name, @QueryParam("version") String version,
                            @QueryParam("alias") String alias, PredictRequest request) {
        PredictTarget target = PredictTarget.parse(version, alias);
        if (!gate.tryEnter()) {
            throw RegistryProblems.tooManyPredictions(settings.predict().maxConcurrent()).retryAfter(1);
        }
        try {
            return predictWithin(name, target, request);
        } finally {
            gate.release();
        }
    }

    private Response predictWithin(String name, PredictTarget target, PredictRequest request) {
        List<String> inputs = request.inputs();
        if (inputs == null || inputs.isEmpty()) {
            throw RegistryProblems.invalidInputs("\"inputs\" must be a non-empty array of texts");
        }
        if (inputs.size() > settings.serving().maxBatch()) {
            throw RegistryProblems.tooManyInputs(inputs.size(), settings.serving().maxBatch());
        }
        // Another team's model answers as one without the version or alias asked for would, so its name does not leak.
        if (!registry.teamOf(name).map(caller::canRead).orElse(true)) {
            throw notFound(name, target);
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
        ModelServer.Answer answer = server.predict(name, target, inputs);
        return Response.ok(new PredictResponse(answer.model(), answer.version(),
                answer.predictions().stream().map(PredictResource::item).toList())).build();
    }

    private static dev.finetune.support.problem.ProblemException notFound(String name, PredictTarget target) {
        if (target.version() != null) {
            return RegistryProblems.versionNotFound(name, target.version());
        }
        return target.isProduction() ? RegistryProblems.noProductionVersion(name)
                : RegistryProblems.aliasNotFound(name, target.alias());
    }

    private static Item item(Prediction prediction) {
        return new Item(prediction.label(), prediction.probabilities());
    }
}

package dev.finetune.training.api;

import dev.finetune.training.domain.Hyperparameters;
import dev.finetune.training.domain.RunStore;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The training configuration of a data set: what its next runs use. */
@Path("/training-configs/{dataset}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TrainingConfigResource {

    /** What was set for the data set, and what a run would use (set values over the platform defaults). */
    public record ConfigView(String dataset, Hyperparameters configured, Hyperparameters effective) {
    }

    private final RunStore runs;

    public TrainingConfigResource(RunStore runs) {
        this.runs = runs;
    }

    @GET
    public ConfigView get(@PathParam("dataset") String dataset) {
        return new ConfigView(dataset, runs.storedConfiguration(dataset).orElse(Hyperparameters.NONE),
                runs.configurationOf(dataset));
    }

    /**
     * Replaces the configuration; fields left out fall back to the platform defaults. 400 and nothing stored when
     * a field is unknown, of the wrong type or out of its bound.
     */
    @PUT
    public ConfigView put(@PathParam("dataset") String dataset, Hyperparameters hyperparameters) {
        runs.storeConfiguration(dataset, hyperparameters);
        return get(dataset);
    }
}

package dev.finetune.training.api;

import dev.finetune.support.access.Caller;
import dev.finetune.support.access.Roles;
import dev.finetune.training.domain.Hyperparameters;
import dev.finetune.training.domain.RunStore;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.Optional;

/**
 * The training configuration of a data set: what its next runs use. It belongs to the data set's team once
 * training has heard of the data set (a {@code datasets.prepared}); before that, to the team that set it.
 */
@Path("/training-configs/{dataset}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TrainingConfigResource {

    /**
     * What was set for the data set, and what a run would use (set values over the platform defaults); {@code team}
     * owns it, null while neither a run nor a configuration names one.
     */
    public record ConfigView(String dataset, String team, Hyperparameters configured, Hyperparameters effective) {
    }

    private final RunStore runs;
    private final Caller caller;

    public TrainingConfigResource(RunStore runs, Caller caller) {
        this.runs = runs;
        this.caller = caller;
    }

    @GET
    @RolesAllowed(Roles.READER)
    public ConfigView get(@PathParam("dataset") String dataset) {
        Optional<String> team = owner(dataset);
        team.ifPresent(t -> caller.checkRead(t, "training configuration of data set " + dataset));
        return view(dataset, team.orElse(null));
    }

    /**
     * Replaces the configuration; fields left out fall back to the platform defaults. 400 and nothing stored when
     * a field is unknown, of the wrong type or out of its bound. Only the owning team's contributors change it;
     * {@code team} names the owner of a configuration set before training knows the data set (a caller of one
     * team may leave it out).
     */
    @PUT
    @RolesAllowed(Roles.CONTRIBUTOR)
    public ConfigView put(@PathParam("dataset") String dataset, @QueryParam("team") String requestedTeam,
                          Hyperparameters hyperparameters) {
        Optional<String> owner = owner(dataset);
        String team;
        if (owner.isPresent()) {
            caller.checkRead(owner.get(), "training configuration of data set " + dataset);
            caller.checkWrite(owner.get(), "training configuration of data set " + dataset);
            team = owner.get();
        } else {
            team = caller.owningTeam(requestedTeam);
        }
        runs.storeConfiguration(dataset, team, hyperparameters);
        return view(dataset, team);
    }

    /** The data set's team as its runs tell it, else the team of the configuration stored for it. */
    private Optional<String> owner(String dataset) {
        Optional<String> known = runs.knownTeam(dataset);
        return known.isPresent() ? known : runs.configurationTeam(dataset);
    }

    /** A configuration another team stored under the name is not this team's: runs ignore it, and so does the view. */
    private ConfigView view(String dataset, String team) {
        boolean own = team != null && runs.configurationTeam(dataset).filter(team::equals).isPresent();
        return new ConfigView(dataset, team, own ? runs.storedConfiguration(dataset).orElseThrow() : Hyperparameters.NONE,
                runs.configurationOf(dataset, team));
    }
}

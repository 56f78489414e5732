package dev.finetune.training.api;

import dev.finetune.ml.BaseModel;
import dev.finetune.support.access.Roles;
import dev.finetune.training.runner.BaseModels;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** The pretrained encoders a training configuration may name as its {@code baseModel}. */
@Path("/base-models")
@Produces(MediaType.APPLICATION_JSON)
public class BaseModelResource {

    /** One base model as users pick it: its name, what it is, how it pools, where its weights come from. */
    public record BaseModelView(String name, String summary, String pooling, String artifact) {

        static BaseModelView of(BaseModel.Description d) {
            return new BaseModelView(d.name(), d.summary(), d.pooling().name().toLowerCase(), d.artifact());
        }
    }

    private final BaseModels baseModels;

    public BaseModelResource(BaseModels baseModels) {
        this.baseModels = baseModels;
    }

    @GET
    @RolesAllowed(Roles.READER)
    public List<BaseModelView> list() {
        return baseModels.available().stream().map(BaseModelView::of).toList();
    }
}

package dev.finetune.registry.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.registry.domain.AliasMove;
import dev.finetune.registry.domain.Json;
import dev.finetune.registry.domain.ModelVersion;
import dev.finetune.registry.domain.Registry;
import dev.finetune.registry.domain.RegistryProblems;
import dev.finetune.registry.policy.PromotionPolicy;
import dev.finetune.support.access.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Registered models, their versions, aliases, audit log and promotion policy. */
@Path("/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    public record ModelSummary(String name, Integer productionVersion, int versions) {
    }

    public record ModelDetail(String name, Map<String, Integer> aliases, VersionView production,
            List<VersionView> versions) {
    }

    public record VersionView(String model, int version, String status, String packageUri, String packageSha256,
            Lineage lineage, String evaluationId, JsonNode metrics, JsonNode perLabelF1, JsonNode champion,
            String reportUri, JsonNode decision, JsonNode tags, String correlationId, Instant createdAt) {
    }

    /** Where the version comes from: the data set version, the exact splits it was trained and tested on, the run. */
    public record Lineage(String dataset, int datasetVersion, String datasetManifestUri,
            Map<String, DatasetPrepared.SplitRef> splits, String runId, int step) {
    }

    /** Body of manual promotion and rollback: why (and optionally who). */
    public record Reason(String reason, String actor) {
    }

    private final Registry registry;

    public ModelResource(Registry registry) {
        this.registry = registry;
    }

    @GET
    @RolesAllowed(Roles.READER)
    public List<ModelSummary> list() {
        Map<String, Integer> production = registry.productionVersions();
        return registry.models().stream()
                .map(m -> new ModelSummary(m.name, production.get(m.name), registry.versions(m.name).size()))
                .toList();
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{name}")
    public ModelDetail get(@PathParam("name") String name) {
        List<ModelVersion> versions = registry.versions(name);
        if (versions.isEmpty()) {
            throw RegistryProblems.modelNotFound(name);
        }
        return new ModelDetail(name, registry.aliases(name), registry.production(name).map(ModelResource::view).orElse(null),
                versions.stream().map(ModelResource::view).toList());
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{name}/versions/{version}")
    public VersionView version(@PathParam("name") String name, @PathParam("version") int version) {
        return registry.version(name, version).map(ModelResource::view)
                .orElseThrow(() -> RegistryProblems.versionNotFound(name, version));
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{name}/audit")
    public List<AliasMove> audit(@PathParam("name") String name) {
        return registry.audit(name);
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{name}/policy")
    public PromotionPolicy policy(@PathParam("name") String name) {
        return registry.policyOf(name);
    }

    /**
     * Replaces the model's policy; thresholds left out fall back to the platform defaults. 400 and nothing stored
     * when a threshold is unknown, of the wrong type or out of its range.
     */
    @PUT
    @RolesAllowed(Roles.APPROVER)
    @Path("/{name}/policy")
    @Consumes(MediaType.APPLICATION_JSON)
    public PromotionPolicy putPolicy(@PathParam("name") String name, PromotionPolicy policy) {
        return registry.storePolicy(name, policy);
    }

    @POST
    @RolesAllowed(Roles.APPROVER)
    @Path("/{name}/versions/{version}/promote")
    @Consumes(MediaType.APPLICATION_JSON)
    public VersionView promote(@PathParam("name") String name, @PathParam("version") int version, Reason body) {
        ModelVersion promoted = registry.promote(name, version, reason(body), actor(body));
        return view(promoted);
    }

    @POST
    @RolesAllowed(Roles.APPROVER)
    @Path("/{name}/rollback")
    @Consumes(MediaType.APPLICATION_JSON)
    public VersionView rollback(@PathParam("name") String name, Reason body) {
        ModelVersion restored = registry.rollback(name, reason(body), actor(body));
        return view(restored);
    }

    private static String reason(Reason body) {
        if (body.reason() == null || body.reason().isBlank()) {
            throw RegistryProblems.missingReason();
        }
        return body.reason();
    }

    private static String actor(Reason body) {
        return body.actor() == null || body.actor().isBlank() ? "api" : body.actor();
    }

    static VersionView view(ModelVersion v) {
        return new VersionView(v.modelName, v.version, v.status.name().toLowerCase(), v.packageUri, v.packageSha256,
                new Lineage(v.dataset, v.datasetVersion, v.manifestUri, Registry.splits(v), v.runId, v.step),
                v.evaluationId, node(v.metrics), node(v.perLabelF1), node(v.champion), v.reportUri, node(v.decision),
                node(v.tags), v.correlationId, v.createdAt);
    }

    private static JsonNode node(String json) {
        return json == null ? null : Json.read(json, JsonNode.class);
    }
}

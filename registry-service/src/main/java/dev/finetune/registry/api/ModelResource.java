package dev.finetune.registry.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.finetune.events.DatasetPrepared;
import dev.finetune.ml.packaging.OnnxExport;
import dev.finetune.registry.domain.AliasMove;
import dev.finetune.registry.domain.Json;
import dev.finetune.registry.domain.ModelVersion;
import dev.finetune.registry.domain.Registry;
import dev.finetune.registry.domain.RegistryProblems;
import dev.finetune.registry.export.VersionExports;
import dev.finetune.registry.policy.PromotionPolicy;
import dev.finetune.support.access.Caller;
import dev.finetune.support.access.Roles;
import dev.finetune.support.problem.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Registered models, their versions, aliases, audit log and promotion policy. Readers see their teams' models only
 * (another team's answers 404, as if it did not exist); approvers of the model's team change its policy and move
 * its production alias.
 */
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
    public record Lineage(String dataset, String team, int datasetVersion, String datasetManifestUri,
            Map<String, DatasetPrepared.SplitRef> splits, String runId, int step) {
    }

    /**
     * Body of manual promotion and rollback: why. Who is the token's subject, never a field of the body (a body
     * naming an {@code actor} is refused as an unknown field), so the audit cannot be told someone else did it.
     */
    /** The body of {@code PUT /models/{name}/aliases/{alias}}. */
    public record AliasTarget(Integer version, String reason) {
    }

    public record Reason(String reason) {
    }

    private final Registry registry;
    private final Caller caller;
    private final VersionExports exports;

    public ModelResource(Registry registry, Caller caller, VersionExports exports) {
        this.registry = registry;
        this.caller = caller;
        this.exports = exports;
    }

    @GET
    @RolesAllowed(Roles.READER)
    public List<ModelSummary> list() {
        Map<String, Integer> production = registry.productionVersions();
        return registry.models(caller.readableTeams()).stream()
                .map(m -> new ModelSummary(m.name, production.get(m.name), registry.versions(m.name).size()))
                .toList();
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{name}")
    public ModelDetail get(@PathParam("name") String name) {
        checkRead(name);
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
        if (!readable(name)) {
            throw RegistryProblems.versionNotFound(name, version);
        }
        return registry.version(name, version).map(ModelResource::view)
                .orElseThrow(() -> RegistryProblems.versionNotFound(name, version));
    }

    /**
     * The version as an ONNX export (a zip: model.onnx, tokenizer.json, labels.json, model-card.json; see
     * docs/registry-service.md), built and stored beside the package on its first download.
     */
    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{name}/versions/{version}/export")
    @Produces(OnnxExport.CONTENT_TYPE)
    public Response export(@PathParam("name") String name, @PathParam("version") int version) {
        if (!readable(name)) {
            throw RegistryProblems.versionNotFound(name, version);
        }
        ModelVersion found = registry.version(name, version)
                .orElseThrow(() -> RegistryProblems.versionNotFound(name, version));
        VersionExports.StoredExport export = exports.of(found);
        return Response.ok((StreamingOutput) out -> exports.copyTo(export, out), OnnxExport.CONTENT_TYPE)
                .header(HttpHeaders.CONTENT_LENGTH, export.size())
                .header("Content-Disposition", "attachment; filename=\"" + VersionExports.fileName(found) + "\"")
                .build();
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{name}/audit")
    public List<AliasMove> audit(@PathParam("name") String name) {
        checkRead(name);
        return registry.audit(name);
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Path("/{name}/policy")
    public PromotionPolicy policy(@PathParam("name") String name) {
        checkRead(name);
        return registry.policyOf(name);
    }

    /**
     * Replaces the model's policy; thresholds left out fall back to the platform defaults. 400 and nothing stored
     * when a threshold is unknown, of the wrong type or out of its range. The model's team sets it; a policy for a
     * model not registered yet belongs to the caller's team ({@code ?team=} when it acts for several).
     */
    @PUT
    @RolesAllowed(Roles.APPROVER)
    @Path("/{name}/policy")
    @Consumes(MediaType.APPLICATION_JSON)
    public PromotionPolicy putPolicy(@PathParam("name") String name, @QueryParam("team") String team,
                                     PromotionPolicy policy) {
        String owner = registry.teamOf(name).orElse(null);
        if (owner == null) {
            owner = caller.owningTeam(team);
        } else {
            checkRead(name);
            checkWrite(name, owner);
        }
        return registry.storePolicy(name, policy, owner);
    }

    @POST
    @RolesAllowed(Roles.APPROVER)
    @Path("/{name}/versions/{version}/promote")
    @Consumes(MediaType.APPLICATION_JSON)
    public VersionView promote(@PathParam("name") String name, @PathParam("version") int version, Reason body) {
        checkWrite(name, owner(name, () -> RegistryProblems.versionNotFound(name, version)));
        ModelVersion promoted = registry.promote(name, version, reason(body), caller.subject());
        return view(promoted);
    }

    @POST
    @RolesAllowed(Roles.APPROVER)
    @Path("/{name}/rollback")
    @Consumes(MediaType.APPLICATION_JSON)
    public VersionView rollback(@PathParam("name") String name, Reason body) {
        checkWrite(name, owner(name, () -> RegistryProblems.noProductionVersion(name)));
        ModelVersion restored = registry.rollback(name, reason(body), caller.subject());
        return view(restored);
    }

    @PUT
    @RolesAllowed(Roles.APPROVER)
    @Path("/{name}/aliases/{alias}")
    @Consumes(MediaType.APPLICATION_JSON)
    public VersionView setAlias(@PathParam("name") String name, @PathParam("alias") String alias, AliasTarget body) {
        if (body.version() == null) {
            throw RegistryProblems.invalidParameter("the body names the version: {\"version\": 3, \"reason\": \"...\"}");
        }
        checkWrite(name, owner(name, () -> RegistryProblems.versionNotFound(name, body.version())));
        return view(registry.setAlias(name, alias, body.version(), body.reason(), caller.subject()));
    }

    private static String reason(Reason body) {
        if (body.reason() == null || body.reason().isBlank()) {
            throw RegistryProblems.missingReason();
        }
        return body.reason();
    }

    /** Whether the caller may see the model: a name the registry does not know hides nothing. */
    private boolean readable(String name) {
        return registry.teamOf(name).map(caller::canRead).orElse(true);
    }

    /** 404, as for a model that does not exist, when it belongs to a team the caller may not read. */
    private void checkRead(String name) {
        if (!readable(name)) {
            throw RegistryProblems.modelNotFound(name);
        }
    }

    /**
     * The team owning a model the caller may read; {@code missing} (the operation's own 404) when the registry does
     * not know it or it is hidden from the caller.
     */
    private String owner(String name, java.util.function.Supplier<ProblemException> missing) {
        String team = registry.teamOf(name).orElseThrow(missing);
        if (!caller.canRead(team)) {
            throw missing.get();
        }
        return team;
    }

    private void checkWrite(String name, String team) {
        caller.checkWrite(team, "model " + name);
    }

    static VersionView view(ModelVersion v) {
        return new VersionView(v.modelName, v.version, v.status.name().toLowerCase(), v.packageUri, v.packageSha256,
                new Lineage(v.dataset, v.team, v.datasetVersion, v.manifestUri, Registry.splits(v), v.runId, v.step),
                v.evaluationId, node(v.metrics), node(v.perLabelF1), node(v.champion), v.reportUri, node(v.decision),
                node(v.tags), v.correlationId, v.createdAt);
    }

    private static JsonNode node(String json) {
        return json == null ? null : Json.read(json, JsonNode.class);
    }
}

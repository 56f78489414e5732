package dev.finetune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sign-in contract of a service, derived from its OpenAPI document so that a new endpoint cannot be
 * forgotten: every operation answers 401 without a token, 403 ({@code forbidden}) to a token without any of the
 * roles its security requirement lists, and neither to a token holding one of them. An operation that lists no
 * role is itself a violation (the services deny endpoints without {@code @RolesAllowed}). Path parameters are
 * filled with names nothing has (so a permitted call ends in 404 or 400 and changes nothing); the body, when the
 * operation takes one, is {@code {}} in the media type it consumes, so routing reaches the security check.
 */
public final class AccessContract {

    /** One operation of the document: its method, path template, what it consumes and the roles it admits. */
    public record Operation(String method, String path, String consumes, Set<String> roles) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public AccessContract(URI base) {
        this.base = base;
    }

    /** The operations of the service's document ({@code /q/openapi?format=json}). */
    public List<Operation> operations() {
        JsonNode document = readJson(send("GET", "/q/openapi?format=json", null, null, null).body());
        List<Operation> operations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (!METHODS.contains(op.getKey())) {
                    continue;
                }
                Set<String> roles = new TreeSet<>();
                op.getValue().path("security").forEach(requirement -> requirement.fields()
                        .forEachRemaining(scheme -> scheme.getValue().forEach(role -> roles.add(role.asText()))));
                Iterator<String> media = op.getValue().path("requestBody").path("content").fieldNames();
                operations.add(new Operation(op.getKey().toUpperCase(), path.getKey(),
                        media.hasNext() ? media.next() : null, roles));
            }
        }
        return operations;
    }

    /**
     * What does not hold, one line per violation (empty when the contract holds). {@code tokenFor} returns a
     * token holding exactly the given roles (and what they include), in a team that owns nothing.
     */
    public List<String> violations(List<Operation> operations, List<String> allRoles,
                                   Function<Set<String>, String> tokenFor) {
        List<String> violations = new ArrayList<>();
        for (Operation op : operations) {
            if (op.roles().isEmpty()) {
                violations.add(op + ": its OpenAPI document lists no role (add @RolesAllowed)");
                continue;
            }
            HttpResponse<String> anonymous = call(op, null);
            if (anonymous.statusCode() != 401) {
                violations.add(op + " without a token: " + anonymous.statusCode() + ", expected 401");
            }
            Set<String> lacking = rolesLacking(op.roles(), allRoles);
            if (!lacking.isEmpty()) {
                HttpResponse<String> refused = call(op, tokenFor.apply(lacking));
                if (refused.statusCode() != 403 || !refused.body().contains("/problems/forbidden")) {
                    violations.add(op + " with roles " + lacking + ": " + refused.statusCode() + " " + refused.body()
                            + ", expected 403 forbidden");
                }
            }
            for (String role : op.roles()) {
                HttpResponse<String> admitted = call(op, tokenFor.apply(Set.of(role)));
                if (admitted.statusCode() == 401 || admitted.body().contains("/problems/forbidden\"")) {
                    violations.add(op + " with role " + role + ": " + admitted.statusCode() + " " + admitted.body());
                }
            }
        }
        return violations;
    }

    /**
     * The contract with the signed test tokens ({@link TestTokens}, in a team that owns nothing), as each service's
     * AccessIT checks it: the document lists at least {@code expected} (so an empty or unreadable document cannot
     * pass), every operation holds the contract, and a token of another issuer answers 401 {@code unauthenticated}
     * on the first operation listed.
     */
    public void assertHoldsForTestTokens(String... expected) {
        List<Operation> operations = operations();
        assertThat(operations).extracting(Operation::toString).contains(expected);
        assertThat(violations(operations, FinetuneRealm.ROLES,
                roles -> TestTokens.token("contract", roles, Set.of("team-nobody")))).isEmpty();
        Operation first = operations.stream().filter(op -> op.toString().equals(expected[0])).findFirst().orElseThrow();
        HttpResponse<String> forged = call(first, TestTokens.forged(TestTokens.teamA()));
        assertThat(forged.statusCode()).as("%s with a token of another issuer", first).isEqualTo(401);
        assertThat(forged.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        assertThat(readJson(forged.body()).path("type").asText())
                .isEqualTo("https://finetune.dev/problems/unauthenticated");
    }

    /** The roles that include none of {@code admitted} (an admin includes all, so it is never among them). */
    private static Set<String> rolesLacking(Set<String> admitted, List<String> allRoles) {
        Set<String> lacking = new TreeSet<>();
        for (String role : allRoles) {
            if (FinetuneRealm.expand(Set.of(role)).stream().noneMatch(admitted::contains)) {
                lacking.add(role);
            }
        }
        return lacking;
    }

    private HttpResponse<String> call(Operation op, String token) {
        Matcher m = PARAMETER.matcher(op.path());
        StringBuilder path = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = name.equals("id") ? UUID.randomUUID().toString()
                    : name.equals("version") ? "1" : "access-contract-" + name;
            m.appendReplacement(path, value);
        }
        m.appendTail(path);
        String body = op.consumes() == null ? null : op.consumes().contains("json") ? "{}" : "";
        return send(op.method(), path.toString(), op.consumes(), body, token);
    }

    private HttpResponse<String> send(String method, String path, String contentType, String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readJson(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not an OpenAPI JSON document: " + body, e);
        }
    }
}

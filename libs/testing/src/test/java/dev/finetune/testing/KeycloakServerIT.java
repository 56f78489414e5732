package dev.finetune.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The development realm on a real Keycloak: the tokens its users, its pipeline client and the services'
 * clients get carry the roles, the team ({@code groups}) and the audience the services will check.
 */
class KeycloakServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static KeycloakServer keycloak;

    @BeforeAll
    static void start() {
        keycloak = SharedInfrastructure.keycloak();
        System.out.println("Keycloak " + keycloak.url() + " ready in " + keycloak.startupTime().toMillis() + " ms");
    }

    @Test
    void theDiscoveryDocumentNamesTheRealmsIssuerAndEndpoints() {
        JsonNode discovery = keycloak.getJson(keycloak.discoveryUrl());

        assertThat(discovery.get("issuer").asText()).isEqualTo(keycloak.issuer());
        assertThat(discovery.get("token_endpoint").asText()).isEqualTo(keycloak.tokenEndpoint());
        assertThat(discovery.get("jwks_uri").asText()).isEqualTo(keycloak.jwksUrl());
        assertThat(texts(discovery.get("grant_types_supported"))).contains("password", "client_credentials");
    }

    static Stream<Arguments> users() {
        return Stream.of(
                Arguments.of("reader-a", List.of("reader"), List.of("team-a")),
                Arguments.of("contributor-a", List.of("contributor", "reader"), List.of("team-a")),
                Arguments.of("approver-a", List.of("approver", "reader"), List.of("team-a")),
                Arguments.of("predictor-a", List.of("predictor"), List.of("team-a")),
                Arguments.of("operator-a", List.of("approver", "contributor", "predictor", "reader"), List.of("team-a")),
                Arguments.of("approver-b", List.of("approver", "reader"), List.of("team-b")),
                Arguments.of("admin", FinetuneRealm.ROLES, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("users")
    void aUserSignsInWithTheirRolesTeamAndTheAudience(String username, List<String> roles, List<String> groups) {
        String token = keycloak.accessTokenFor(username);
        JsonNode claims = payload(token);

        assertThat(claims.get("sub").asText()).isNotBlank();
        assertThat(claims.get("preferred_username").asText()).isEqualTo(username);
        assertThat(claims.get("iss").asText()).isEqualTo(keycloak.issuer());
        assertThat(claims.get("azp").asText()).isEqualTo(FinetuneRealm.CLI_CLIENT);
        assertThat(platformRoles(claims)).containsExactlyInAnyOrderElementsOf(roles);
        assertThat(texts(claims.get("groups"))).containsExactlyInAnyOrderElementsOf(groups);
        assertThat(texts(claims.get("aud"))).contains(FinetuneRealm.AUDIENCE);
        assertThat(signingKeyIds()).contains(header(token).get("kid").asText());
    }

    @Test
    void thePipelineSignsInWithTheClientCredentialsGrantAsTeamA() {
        JsonNode claims = payload(keycloak.accessTokenForClient(FinetuneRealm.PIPELINE_CLIENT));

        assertThat(claims.get("sub").asText()).isNotBlank();
        assertThat(claims.get("azp").asText()).isEqualTo(FinetuneRealm.PIPELINE_CLIENT);
        assertThat(claims.get("preferred_username").asText()).isEqualTo("service-account-pipeline");
        assertThat(platformRoles(claims)).containsExactlyInAnyOrder("contributor", "reader");
        assertThat(texts(claims.get("groups"))).containsExactly("team-a");
        assertThat(texts(claims.get("aud"))).contains(FinetuneRealm.AUDIENCE);
    }

    @Test
    void everyServiceHasItsOwnClientThatReads() {
        for (String service : FinetuneRealm.SERVICE_CLIENTS) {
            JsonNode claims = payload(keycloak.accessTokenForClient(service));

            assertThat(claims.get("azp").asText()).isEqualTo(service);
            assertThat(platformRoles(claims)).as(service).containsExactly("reader");
            assertThat(texts(claims.get("groups"))).as(service).isEmpty();
            assertThat(texts(claims.get("aud"))).as(service).contains(FinetuneRealm.AUDIENCE);
        }
    }

    @Test
    void aWrongPasswordOrSecretIsRefused() {
        KeycloakServer.TokenResponse wrongPassword = keycloak.passwordGrant("reader-a", "not-the-password");
        assertThat(wrongPassword.status()).isEqualTo(401);
        assertThat(wrongPassword.body().get("error").asText()).isEqualTo("invalid_grant");

        KeycloakServer.TokenResponse wrongSecret = keycloak.clientCredentialsGrant(FinetuneRealm.PIPELINE_CLIENT, "guess");
        assertThat(wrongSecret.status()).isEqualTo(401);
        assertThat(wrongSecret.body().get("error").asText()).isEqualTo("unauthorized_client");
    }

    /** The realm roles that mean something to the platform (Keycloak adds its own defaults). */
    private static List<String> platformRoles(JsonNode claims) {
        return texts(claims.path("realm_access").path("roles")).stream().filter(FinetuneRealm.ROLES::contains).toList();
    }

    private List<String> signingKeyIds() {
        return keycloak.getJson(keycloak.jwksUrl()).path("keys").findValuesAsText("kid");
    }

    private static JsonNode header(String jwt) {
        return decode(jwt.split("\\.")[0]);
    }

    private static JsonNode payload(String jwt) {
        return decode(jwt.split("\\.")[1]);
    }

    private static JsonNode decode(String part) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(part));
        } catch (IOException e) {
            throw new IllegalStateException("not a JWT part: " + part, e);
        }
    }

    /** A claim that is a string or an array of strings (as {@code aud} may be), missing as empty. */
    private static List<String> texts(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node == null || node.isMissingNode() || node.isNull()) {
            return values;
        }
        if (node.isArray()) {
            node.forEach(value -> values.add(value.isTextual() ? value.asText() : value.toString()));
        } else {
            values.add(node.asText());
        }
        return values;
    }
}

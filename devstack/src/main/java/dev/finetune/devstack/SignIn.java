package dev.finetune.devstack;

import dev.finetune.testing.FinetuneRealm;
import dev.finetune.testing.KeycloakServer;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Someone signed in to the stack's Keycloak: a person (password grant through the public client) or a pipeline
 * (client-credentials grant). Hands out the {@code Authorization} header of a current access token, signing in
 * again shortly before the last one expires, so a demo or test that runs for many minutes never sends a stale one.
 */
public final class SignIn {

    private static final Duration MARGIN = Duration.ofSeconds(30);

    private final String name;
    private final Supplier<KeycloakServer.TokenResponse> grant;
    private String token;
    private Instant renewAt = Instant.MIN;

    private SignIn(String name, Supplier<KeycloakServer.TokenResponse> grant) {
        this.name = name;
        this.grant = grant;
    }

    /** A user of the realm, with its development password. */
    public static SignIn user(KeycloakServer keycloak, String username) {
        return new SignIn(username, () -> keycloak.passwordGrant(username, FinetuneRealm.password(username)));
    }

    /** A confidential client of the realm (a pipeline), with its development secret. */
    public static SignIn client(KeycloakServer keycloak, String clientId) {
        return new SignIn(clientId, () -> keycloak.clientCredentialsGrant(clientId,
                FinetuneRealm.secret(clientId)));
    }

    public String name() {
        return name;
    }

    /** {@code Bearer <access token>}, signing in again when the token is about to expire. */
    public synchronized String authorization() {
        if (Instant.now().isAfter(renewAt)) {
            KeycloakServer.TokenResponse response = grant.get();
            token = response.accessToken();
            long lifetime = response.body().path("expires_in").asLong(60);
            renewAt = Instant.now().plusSeconds(lifetime).minus(MARGIN);
        }
        return "Bearer " + token;
    }
}

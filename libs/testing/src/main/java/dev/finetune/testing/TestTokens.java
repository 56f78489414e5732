package dev.finetune.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Bearer tokens for the services' own tests, shaped like the {@code finetune} realm's (issuer, audience
 * {@code finetune}, {@code realm_access.roles} with the realm's composite roles expanded, {@code groups} naming
 * teams) and signed with a test key whose public half the services trust under {@code %test}
 * ({@code quarkus.oidc.public-key}, in service-support's defaults). quarkus-oidc checks them exactly as it checks
 * Keycloak's (signature, issuer, audience, expiry, roles); only the issuer is this class instead of a server, so
 * a service's tests need no Keycloak start (30 s to minutes on two cores). The stack's tests (devstack) sign in
 * against the real Keycloak. The key is public: it signs nothing but tests.
 */
public final class TestTokens {

    /** The issuer the services expect under {@code %test} ({@code quarkus.oidc.token.issuer}). */
    public static final String ISSUER = "https://issuer.test.finetune.dev/realms/finetune";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
    private static final PrivateKey KEY = readKey();

    private TestTokens() {
    }

    /**
     * A token for {@code subject} holding {@code roles} (expanded as the realm's composites are: an approver is a
     * reader too) in {@code teams}, valid for an hour.
     */
    public static String token(String subject, Collection<String> roles, Collection<String> teams) {
        Map<String, Object> claims = new LinkedHashMap<>();
        long now = Instant.now().getEpochSecond();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("aud", FinetuneRealm.AUDIENCE);
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("preferred_username", subject);
        claims.put("realm_access", Map.of("roles", List.copyOf(FinetuneRealm.expand(roles))));
        claims.put("groups", List.copyOf(new TreeSet<>(teams)));
        return sign(claims);
    }

    /** A person of one team with one role (and what it includes), named like the realm's users. */
    public static String user(String role, String team) {
        return token(role + "-" + team.replace("team-", ""), Set.of(role), Set.of(team));
    }

    /** The realm's {@code admin}: every role, on every team's data sets and models, in no team. */
    public static String admin() {
        return token("admin", Set.of(FinetuneRealm.ADMIN), Set.of());
    }

    /**
     * A member of team-a who may read, contribute, approve and predict: what a service's tests act as when they
     * test something other than access (the access tests use {@link #user} and {@link #admin}).
     */
    public static String teamA() {
        return token("operator-a", Set.of(FinetuneRealm.CONTRIBUTOR, FinetuneRealm.APPROVER,
                FinetuneRealm.PREDICTOR), Set.of(FinetuneRealm.TEAM_A));
    }

    /** A token signed by another key: well formed, but no service trusts it. */
    public static String forged(String token) {
        String[] parts = token.split("\\.");
        return parts[0] + "." + parts[1] + "." + URL.encodeToString(new byte[256]);
    }

    private static String sign(Map<String, Object> claims) {
        try {
            String header = URL.encodeToString(JSON.writeValueAsBytes(
                    Map.of("alg", "RS256", "typ", "JWT", "kid", "finetune-test")));
            String payload = URL.encodeToString(JSON.writeValueAsBytes(claims));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(KEY);
            rsa.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + URL.encodeToString(rsa.sign());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a test token", e);
        }
    }

    private static PrivateKey readKey() {
        try (InputStream in = TestTokens.class.getResourceAsStream("oidc/test-signing-key.pem")) {
            if (in == null) {
                throw new IllegalStateException("oidc/test-signing-key.pem is missing from libs/testing");
            }
            String pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII)
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the test signing key", e);
        }
    }
}

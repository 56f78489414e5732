package dev.finetune.testing;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link KeycloakServer} for the local stack ({@code ./devstack.sh keycloak}):
 * {@code KeycloakMain <port> <data directory>}. Prints {@code READY <issuer>} once tokens can be had, and
 * stops Keycloak on SIGTERM or Ctrl-C.
 */
public final class KeycloakMain {

    /** What the process prints, followed by the realm's issuer, once Keycloak is ready. */
    public static final String READY = "READY ";

    private KeycloakMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: KeycloakMain <port> <data directory>");
            System.exit(2);
        }
        KeycloakServer keycloak;
        try {
            keycloak = KeycloakServer.start(Integer.parseInt(args[0]), Path.of(args[1]));
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            keycloak.close();
            stopped.countDown();
        }, "keycloak-shutdown"));
        System.out.println("Keycloak started in " + keycloak.startupTime().toSeconds() + " s; log in "
                + Path.of(args[1]).toAbsolutePath().resolve("keycloak.log"));
        System.out.println(READY + keycloak.issuer());
        System.out.flush();
        stopped.await();
    }
}

package dev.finetune.testing;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the local stack's {@link KafkaBroker} as its own process:
 * {@code KafkaBrokerMain <port> <sasl port> <data directory>}, with each principal's SCRAM password in the
 * environment variable {@link KafkaAccess#passwordVariable} names (the environment, not the command line, which
 * any local user can read). Prints {@code READY <bootstrap servers>} once the topics, credentials and ACLs exist
 * and stops cleanly on SIGTERM.
 */
public final class KafkaBrokerMain {

    /** What the process prints, followed by the bootstrap servers, once clients can use it. */
    public static final String READY = "READY ";

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 3) {
            System.err.println("usage: KafkaBrokerMain <port> <sasl port> <data directory>");
            System.exit(2);
        }
        KafkaBroker broker;
        try {
            broker = KafkaBroker.startPersistent(Integer.parseInt(args[0]), Integer.parseInt(args[1]),
                    Path.of(args[2]), passwords());
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.exit(1); // the broker's own threads would keep a failed JVM alive
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "kafka-broker-shutdown"));
        System.out.println(READY + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }

    /** Every principal of {@link KafkaAccess#GRANTS} needs a password: a missing one would leave it locked out. */
    private static Map<String, String> passwords() {
        Map<String, String> passwords = new HashMap<>();
        for (KafkaAccess.Grant grant : KafkaAccess.GRANTS) {
            String variable = KafkaAccess.passwordVariable(grant.principal());
            String password = System.getenv(variable);
            if (password == null || password.isBlank()) {
                throw new IllegalStateException(variable + " is not set: the SCRAM password of " + grant.principal());
            }
            passwords.put(grant.principal(), password);
        }
        return passwords;
    }
}

package dev.finetune.testing;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link KafkaBroker} as its own process: {@code KafkaBrokerMain <port> <data directory>}. Prints
 * {@code READY <bootstrap servers>} once the topics exist and stops cleanly on SIGTERM.
 */
public final class KafkaBrokerMain {

    /** What the process prints, followed by the bootstrap servers, once clients can use it. */
    public static final String READY = "READY ";

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: KafkaBrokerMain <port> <data directory>");
            System.exit(2);
        }
        KafkaBroker broker;
        try {
            broker = KafkaBroker.startPersistent(Integer.parseInt(args[0]), Path.of(args[1]));
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
}

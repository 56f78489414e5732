package dev.finetune.devstack;

import dev.finetune.events.kafka.Redrive;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code devstack.sh [up|demo|check|redrive]}:
 * <ul>
 * <li>{@code up} starts the stack and keeps it running until Ctrl-C or SIGTERM;</li>
 * <li>{@code demo} starts it, runs the demo against it, prints the outcome and stops;</li>
 * <li>{@code check} starts it, verifies every service is ready, stops it and exits 0 or 1;</li>
 * <li>{@code redrive <dead-letter topic> [bootstrap servers]} starts nothing: it copies the dead-letter topic's
 * records back to their source topics on a running broker ({@link Redrive}; the stack's, localhost:9092, by
 * default) and exits 0.</li>
 * </ul>
 */
public final class DevStackMain {

    private DevStackMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length == 0 ? "up" : args[0];
        if (mode.equals("redrive")) {
            redrive(args);
            return;
        }
        if (!mode.equals("up") && !mode.equals("demo") && !mode.equals("check")) {
            System.err.println("usage: devstack.sh [up|demo|check] | devstack.sh redrive <dead-letter topic> "
                    + "[bootstrap servers]");
            System.exit(2);
        }
        PrintStream out = System.out;
        Path root = Path.of(System.getProperty("devstack.root", ".")).toAbsolutePath().normalize();
        DevStack stack = new DevStack(StackSettings.defaults(root), out);
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C and SIGTERM run the hook: every child is stopped before the JVM goes.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }, "devstack-shutdown"));

        stack.start();
        int status = switch (mode) {
            case "up" -> {
                out.println("\nThe platform is running. Ctrl-C stops it.");
                stopped.await();
                yield 0;
            }
            case "demo" -> new Demo(stack, out, Demo.Budget.DEMO).run();
            default -> {
                boolean ready = stack.allReady();
                out.println(ready ? "check: every service is ready" : "check: not every service is ready");
                yield ready ? 0 : 1;
            }
        };
        stack.close();
        System.exit(status);
    }

    private static void redrive(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: devstack.sh redrive <dead-letter topic> [bootstrap servers]");
            System.exit(2);
        }
        String servers = args.length == 3 ? args[2] : StackSettings.defaults(Path.of(".")).bootstrapServers();
        Redrive.Outcome outcome = new Redrive(servers).run(args[1]);
        System.out.println("re-drove " + outcome.total() + " record(s) of " + args[1]
                + (outcome.copied().isEmpty() ? "" : " to " + outcome.copied()));
    }
}

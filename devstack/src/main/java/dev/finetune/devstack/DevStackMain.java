package dev.finetune.devstack;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code devstack.sh [up|demo|check]}:
 * <ul>
 * <li>{@code up} starts the stack and keeps it running until Ctrl-C or SIGTERM;</li>
 * <li>{@code demo} starts it, runs the demo against it, prints the outcome and stops;</li>
 * <li>{@code check} starts it, verifies every service is ready, stops it and exits 0 or 1.</li>
 * </ul>
 */
public final class DevStackMain {

    private DevStackMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length == 0 ? "up" : args[0];
        if (!mode.equals("up") && !mode.equals("demo") && !mode.equals("check")) {
            System.err.println("usage: devstack.sh [up|demo|check]");
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
}

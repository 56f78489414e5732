package dev.finetune.devstack;

import dev.finetune.testing.FreePort;
import dev.finetune.testing.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The running stack that {@link DevStackIT} and {@link FaultsIT} share: the real broker, S3Proxy and PostgreSQL
 * (each service instance through a database proxy of its own, which the fault tests cut), the four services on
 * free ports and the shared Keycloak. Starting a stack costs about a minute of CI's time on 2 cores, so the test
 * JVM starts one for both classes, on first use, and stops it once its last test has run (JUnit closes the values
 * of its root store then). The pom runs the classes in alphabetical order, so {@link CycleIT}, on a stack of its own,
 * runs before the shared one starts (two stacks at once on 2 cores took as long as one after the other). A test class leaves it as it found it: every service ready, the broker and the object
 * store up, every database proxy open; training instances it started beyond the stack's own it stops.
 */
final class SharedStack implements AutoCloseable {

    final StackSettings settings;
    final DevStack stack;
    /** What the stack prints (its summary, what it did to its processes): the services' logs say more. */
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private SharedStack() {
        Path root = Path.of(System.getProperty("devstack.root")).toAbsolutePath();
        Path state = root.resolve("devstack/target/shared-stack-it");
        // A clean slate: the broker's topics and the objects go, and the database with them (the services'
        // inboxes remember Kafka offsets, which a fresh broker hands out again).
        deleteRecursively(state);
        settings = new StackSettings(root, state, "finetune_shared_stack_it",
                FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(),
                FreePort.find(), FreePort.find());
        PostgresServer.freshDatabase(settings.database());
        stack = new DevStack(settings, new PrintStream(printed, true, StandardCharsets.UTF_8)).withDatabaseProxies()
                .withKeycloak(StackProbe.keycloak()).start();
    }

    @Override
    public void close() {
        stack.close();
    }

    /** Hands a test class's {@code @BeforeAll} method the JVM's one shared stack, started on first use. */
    static final class Resolver implements ParameterResolver {

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == SharedStack.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .computeIfAbsent(SharedStack.class, type -> new SharedStack(), SharedStack.class);
        }
    }

    private static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

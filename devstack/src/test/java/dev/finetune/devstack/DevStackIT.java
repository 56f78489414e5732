package dev.finetune.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.finetune.testing.FreePort;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The local stack as a user runs it: real broker, S3Proxy and PostgreSQL, the four services as their
 * own processes, each ready; and nothing left running once it stops. Ports are free ones so the test
 * never meets a stack a developer has running.
 */
class DevStackIT {

    @Test
    void everyServiceAnswersReadyAndNothingOutlivesTheStack() {
        Path root = Path.of(System.getProperty("devstack.root")).toAbsolutePath();
        StackSettings settings = new StackSettings(root, root.resolve("devstack/target/stack-it"), "finetune_stack_it",
                FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find(), FreePort.find());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        List<Long> pids;
        try (DevStack stack = new DevStack(settings, new PrintStream(printed, true, StandardCharsets.UTF_8)).start()) {
            assertThat(stack.allReady()).isTrue();
            pids = stack.pids();
            assertThat(pids).hasSize(DevStack.SERVICES.size() + 2);
            assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid)).isPresent());
        }

        String output = printed.toString(StandardCharsets.UTF_8);
        for (String service : DevStack.SERVICES) {
            assertThat(output).contains(service);
        }
        assertThat(output).contains("http://localhost:" + settings.registryPort());
        assertThat(pids).allSatisfy(pid ->
                assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d alive", pid).isFalse());
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList()).isEmpty();
    }
}

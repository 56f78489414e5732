package dev.finetune.devstack;

import dev.finetune.testing.KafkaAccess;
import dev.finetune.testing.KafkaBrokerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Kafka broker in its own JVM, so it outlives a service that is killed or restarted and keeps its
 * data in the stack's state directory between runs.
 */
final class KafkaProcess implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final String bootstrapServers;

    private KafkaProcess(Process process, String bootstrapServers) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Starts the broker with SCRAM credentials for every principal ({@code passwords}, by principal; passed in
     * the child's environment) and the ACLs of {@link KafkaAccess}.
     */
    static KafkaProcess start(StackSettings settings, Map<String, String> passwords) {
        Path log = settings.logDirectory().resolve("kafka.log");
        Path data = settings.stateDirectory().resolve("kafka");
        try {
            ProcessBuilder builder = new ProcessBuilder(List.of(Java.executable(), "-Xmx512m",
                    "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                    "-cp", System.getProperty("java.class.path"), KafkaBrokerMain.class.getName(),
                    String.valueOf(settings.kafkaPort()), String.valueOf(settings.kafkaSaslPort()), data.toString()))
                    .redirectErrorStream(true);
            passwords.forEach((principal, password) ->
                    builder.environment().put(KafkaAccess.passwordVariable(principal), password));
            Process process = builder.start();
            CompletableFuture<String> ready = new CompletableFuture<>();
            Thread pump = new Thread(() -> copyUntilExit(process, log, ready), "kafka-log");
            pump.setDaemon(true);
            pump.start();
            try {
                return new KafkaProcess(process, ready.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException | ExecutionException e) {
                Processes.stop(process.toHandle(), Duration.ofSeconds(10));
                throw new IllegalStateException("the Kafka broker did not start; see " + log, e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Kafka broker", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while Kafka was starting", e);
        }
    }

    /** Copies the broker's output to its log and completes {@code ready} with the address it prints. */
    private static void copyUntilExit(Process process, Path log, CompletableFuture<String> ready) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                // Appends: a broker started again after an outage continues the same log.
                Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.write('\n');
                out.flush();
                if (line.startsWith(KafkaBrokerMain.READY)) {
                    ready.complete(line.substring(KafkaBrokerMain.READY.length()).trim());
                }
            }
            ready.completeExceptionally(new IllegalStateException("the broker exited with " + process.waitFor()));
        } catch (IOException | InterruptedException e) {
            ready.completeExceptionally(e);
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        Processes.stop(process.toHandle(), Duration.ofSeconds(30));
    }
}

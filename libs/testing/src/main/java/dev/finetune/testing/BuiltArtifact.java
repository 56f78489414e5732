package dev.finetune.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Where building libs/testing put a tool it runs as a process of its own (the S3Proxy jar, the unpacked
 * Keycloak distribution), as a filtered properties resource records it, unless a system property or an
 * environment variable points elsewhere; and what such a process last logged, for its start-up errors.
 */
final class BuiltArtifact {

    private BuiltArtifact() {
    }

    /** The path set by {@code property} or {@code environment}, else {@code key} of the built {@code resource}. */
    static Path locate(String resource, String key, String property, String environment) {
        String configured = System.getProperty(property, System.getenv(environment));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Properties built = new Properties();
        try (InputStream in = BuiltArtifact.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " missing from libs/testing: rebuild it");
            }
            built.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Path.of(built.getProperty(key));
    }

    /** The last {@code lines} lines of a process's log. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}

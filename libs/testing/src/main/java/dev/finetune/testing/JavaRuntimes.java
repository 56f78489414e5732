package dev.finetune.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Finds a JDK of at least a given feature version for a child process that needs a newer Java than the
 * build's (Keycloak needs 21; the platform builds and runs on 17). The version is read from each JDK's
 * {@code release} file, so a JDK is found by what it is, never by one hard-coded folder name.
 */
public final class JavaRuntimes {

    /** Where Debian, Ubuntu and the Temurin packages install JDKs. */
    public static final Path SYSTEM_JVM_DIRECTORY = Path.of("/usr/lib/jvm");

    private JavaRuntimes() {
    }

    /**
     * The JDK home to use: {@code override} (e.g. {@code KEYCLOAK_JAVA_HOME}) when set, which must qualify;
     * else {@code JAVA_HOME} when it is new enough; else this JVM's own home when it is new enough; else the
     * newest JDK of at least {@code minimumFeature} among the folders of {@code jvmDirectory}.
     *
     * @throws IllegalStateException naming what was looked at and what to install when none qualifies
     */
    public static Path find(int minimumFeature, String override, String javaHome, Path currentHome, Path jvmDirectory) {
        if (override != null && !override.isBlank()) {
            Path home = Path.of(override);
            if (featureVersion(home).orElse(0) < minimumFeature) {
                throw new IllegalStateException("the JDK set for Keycloak, " + home + ", is " + describe(home)
                        + "; it needs Java " + minimumFeature + " or newer");
            }
            return home;
        }
        List<String> seen = new ArrayList<>();
        for (Path candidate : Stream.of(javaHome, currentHome == null ? null : currentHome.toString())
                .filter(p -> p != null && !p.isBlank()).map(Path::of).toList()) {
            if (featureVersion(candidate).orElse(0) >= minimumFeature) {
                return candidate;
            }
            seen.add(candidate + " (" + describe(candidate) + ")");
        }
        List<Path> installed = installed(jvmDirectory);
        Optional<Path> newest = installed.stream()
                .filter(home -> featureVersion(home).orElse(0) >= minimumFeature)
                .max(Comparator.comparingInt((Path home) -> featureVersion(home).orElse(0))
                        .thenComparing(Path::toString));
        if (newest.isPresent()) {
            return newest.get();
        }
        installed.forEach(home -> seen.add(home + " (" + describe(home) + ")"));
        throw new IllegalStateException("no JDK " + minimumFeature + " or newer found; looked at "
                + (seen.isEmpty() ? "nothing" : String.join(", ", seen)) + " and the folders of " + jvmDirectory
                + ". Install one (e.g. apt-get install openjdk-" + minimumFeature + "-jdk-headless, or a Temurin "
                + minimumFeature + "+ JDK) or point KEYCLOAK_JAVA_HOME at it");
    }

    /** The JDK's feature version (17, 21, 25) from its {@code release} file; empty when it is no JDK. */
    public static OptionalInt featureVersion(Path home) {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return OptionalInt.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(release)) {
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + release, e);
        }
        String version = properties.getProperty("JAVA_VERSION", "").replace("\"", "").trim();
        return parseFeature(version);
    }

    /** "25.0.3" is 25, "21" is 21, "1.8.0_402" is 8. */
    static OptionalInt parseFeature(String version) {
        String[] parts = version.split("[._+-]");
        try {
            int first = Integer.parseInt(parts[0]);
            return OptionalInt.of(first == 1 && parts.length > 1 ? Integer.parseInt(parts[1]) : first);
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static List<Path> installed(Path jvmDirectory) {
        if (jvmDirectory == null || !Files.isDirectory(jvmDirectory)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(jvmDirectory)) {
            // Debian's alternatives add symbolic links to the same JDKs; the real folders are enough.
            return children.filter(Files::isDirectory).filter(p -> !Files.isSymbolicLink(p)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + jvmDirectory, e);
        }
    }

    private static String describe(Path home) {
        OptionalInt feature = featureVersion(home);
        return feature.isPresent() ? "Java " + feature.getAsInt() : "no JDK (no release file or bin/java)";
    }
}

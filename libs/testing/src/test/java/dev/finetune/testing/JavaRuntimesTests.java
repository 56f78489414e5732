package dev.finetune.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding a JDK new enough for Keycloak by the {@code release} files, among folders laid out as /usr/lib/jvm. */
class JavaRuntimesTests {

    @TempDir
    Path jvms;

    @Test
    void theNewestQualifyingJdkWinsWhenJavaHomeIsTooOld() throws IOException {
        Path jdk17 = jdk("java-17-openjdk-amd64", "17.0.15");
        jdk("java-21-openjdk-amd64", "21.0.7");
        Path jdk25 = jdk("temurin-25-jdk-amd64", "25.0.3");
        Files.createDirectories(jvms.resolve("not-a-jdk"));

        assertThat(JavaRuntimes.find(21, null, jdk17.toString(), jdk17, jvms)).isEqualTo(jdk25);
        assertThat(JavaRuntimes.find(21, "", null, null, jvms)).isEqualTo(jdk25);
    }

    @Test
    void javaHomeIsTakenWhenItIsNewEnough() throws IOException {
        Path jdk21 = jdk("java-21-openjdk-amd64", "21.0.7");
        jdk("temurin-25-jdk-amd64", "25.0.3");

        assertThat(JavaRuntimes.find(21, null, jdk21.toString(), null, jvms)).isEqualTo(jdk21);
    }

    @Test
    void anOverrideMustQualify() throws IOException {
        Path jdk17 = jdk("java-17-openjdk-amd64", "17.0.15");
        Path jdk25 = jdk("temurin-25-jdk-amd64", "25.0.3");

        assertThat(JavaRuntimes.find(21, jdk25.toString(), jdk17.toString(), jdk17, jvms)).isEqualTo(jdk25);
        assertThatThrownBy(() -> JavaRuntimes.find(21, jdk17.toString(), null, null, jvms))
                .hasMessageContaining(jdk17.toString()).hasMessageContaining("Java 17");
    }

    @Test
    void noQualifyingJdkSaysWhatWasFoundAndWhatToInstall() throws IOException {
        Path jdk17 = jdk("java-17-openjdk-amd64", "17.0.15");

        assertThatThrownBy(() -> JavaRuntimes.find(21, jdk17.toString(), null, null, jvms.resolve("missing")))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> JavaRuntimes.find(21, null, jdk17.toString(), jdk17, jvms))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no JDK 21 or newer")
                .hasMessageContaining(jdk17 + " (Java 17)")
                .hasMessageContaining("openjdk-21-jdk-headless")
                .hasMessageContaining("KEYCLOAK_JAVA_HOME");
    }

    @Test
    void featureVersionsAreReadAsTheJdkWritesThem() {
        assertThat(JavaRuntimes.parseFeature("25.0.3")).hasValue(25);
        assertThat(JavaRuntimes.parseFeature("21")).hasValue(21);
        assertThat(JavaRuntimes.parseFeature("1.8.0_402")).hasValue(8);
        assertThat(JavaRuntimes.parseFeature("")).isEmpty();
    }

    private Path jdk(String name, String version) throws IOException {
        Path home = Files.createDirectories(jvms.resolve(name).resolve("bin"));
        Files.writeString(home.getParent().resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        Path java = Files.writeString(home.resolve("java"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home.getParent();
    }
}

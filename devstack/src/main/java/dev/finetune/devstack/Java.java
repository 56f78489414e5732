package dev.finetune.devstack;

import java.nio.file.Path;

/** The JVM that runs the launcher runs every child too: one JDK, whatever PATH says. */
final class Java {

    private Java() {
    }

    static String executable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}

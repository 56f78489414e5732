package dev.finetune.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident memory of this process from /proc/self/status (Linux), in MiB; NaN elsewhere. */
final class Memory {

    private Memory() {}

    /** Current resident set (VmRSS): Java heap, native tensors and libraries together. */
    static double rssMb() {
        return field("VmRSS:");
    }

    /** Peak resident set (VmHWM) since the process started. */
    static double peakRssMb() {
        return field("VmHWM:");
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}

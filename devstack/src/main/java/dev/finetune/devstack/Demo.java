package dev.finetune.devstack;

import java.io.PrintStream;

/**
 * The demo run against a started stack. It grows with the platform: today it shows that every service
 * is up and where each answers; the full fine-tuning cycle joins it as the services gain their behaviour.
 */
final class Demo {

    private final DevStack stack;
    private final PrintStream out;

    Demo(DevStack stack, PrintStream out) {
        this.stack = stack;
        this.out = out;
    }

    /** Returns the process exit status: 0 when the demo succeeded. */
    int run() {
        boolean ready = stack.allReady();
        out.println(ready ? "demo: every service is ready" : "demo: not every service is ready");
        return ready ? 0 : 1;
    }
}

package dev.finetune.dataset.validation;

import dev.finetune.support.problem.ProblemException;
import java.util.Map;

/**
 * A problem that fails a whole upload or version build: wrong format, no usable rows, one label. It names
 * the line (where there is one) and a machine-readable reason, and is answered as the platform's problem+json
 * with {@code line} and {@code reason} as extension members.
 */
public class FatalProblem extends ProblemException {

    private final Long line;
    private final String reason;

    public FatalProblem(int status, String type, String title, Long line, String reason, String detail,
                        Map<String, Object> extra) {
        super(status, type, title, detail);
        this.line = line;
        this.reason = reason;
        with("line", line);
        with("reason", reason);
        if (extra != null) {
            extra.forEach(this::with);
        }
    }

    /** A problem whose reason is its type: the usual case. */
    public static FatalProblem of(int status, String type, String title, Long line, String detail) {
        return new FatalProblem(status, type, title, line, type, detail, null);
    }

    /** Short code naming the kind of problem, e.g. {@code malformed-json}; the last segment of the type URI. */
    public String type() {
        return kind();
    }

    /** 1-based line of the input the problem is on, or null when it concerns the whole input. */
    public Long line() {
        return line;
    }

    /** Machine-readable reason: equal to {@link #type()} except for no-usable-rows, where it is the first row's. */
    public String reason() {
        return reason;
    }
}

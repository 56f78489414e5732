package dev.finetune.dataset.validation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A problem that fails a whole upload or version build: wrong format, no usable rows, one label. It names
 * the line (where there is one) and a machine-readable reason, and becomes an RFC 7807 problem+json body.
 */
public class FatalProblem extends RuntimeException {

    private final int status;
    private final String type;
    private final String title;
    private final Long line;
    private final String reason;
    private final Map<String, Object> extra;

    public FatalProblem(int status, String type, String title, Long line, String reason, String detail,
                        Map<String, Object> extra) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.line = line;
        this.reason = reason;
        this.extra = extra == null ? Map.of() : new LinkedHashMap<>(extra);
    }

    /** A problem whose reason is its type: the usual case. */
    public static FatalProblem of(int status, String type, String title, Long line, String detail) {
        return new FatalProblem(status, type, title, line, type, detail, null);
    }

    public int status() {
        return status;
    }

    /** Short code naming the kind of problem, e.g. {@code malformed-json}; the last segment of the type URI. */
    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    /** 1-based line of the input the problem is on, or null when it concerns the whole input. */
    public Long line() {
        return line;
    }

    /** Machine-readable reason: equal to {@link #type()} except for no-usable-rows, where it is the first row's. */
    public String reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, Object> extra() {
        return extra;
    }
}

package dev.finetune.support.problem;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refusal the service means: the caller's input or the state of what it asks about does not allow the request.
 * It carries the HTTP status, the kind ({@code type} is {@link Problem#TYPE_BASE} + kind, one per distinct
 * problem, listed in docs/operations.md#errors) and a detail a person can act on. Only this exception (and the
 * framework's own) becomes a 4xx: any other exception, a stray {@link IllegalArgumentException} from a library
 * included, is a fault of ours and answers 500 with an error id.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String kind;
    private final String title;
    private final Map<String, Object> members = new LinkedHashMap<>();
    private Integer retryAfterSeconds;

    /** {@code title} names the kind in a few words and is the same for every occurrence of it (RFC 9457). */
    public ProblemException(int status, String kind, String title, String detail) {
        super(detail);
        this.status = status;
        this.kind = kind;
        this.title = title;
    }

    /** Adds an extension member to the body (e.g. {@code field}, {@code line}); the first value of a name wins. */
    public ProblemException with(String name, Object value) {
        if (value != null) {
            members.putIfAbsent(name, value);
        }
        return this;
    }

    /**
     * Tells the caller when to try again ({@code Retry-After}, in seconds): for a refusal that passes by itself,
     * such as a 429 for a limit this instance is at now.
     */
    public ProblemException retryAfter(int seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    /** Seconds for {@code Retry-After}, or null when the refusal does not pass by waiting. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    /** The last segment of the type URI, e.g. {@code run-ended}. */
    public String kind() {
        return kind;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, Object> members() {
        return java.util.Collections.unmodifiableMap(members);
    }

    /** The body this refusal answers with; {@code instance} is the request's path. */
    public Problem problem(String instance) {
        return new Problem(Problem.TYPE_BASE + kind, title, status, detail(), instance, null,
                new LinkedHashMap<>(members));
    }
}

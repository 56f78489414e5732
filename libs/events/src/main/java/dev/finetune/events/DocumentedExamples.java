package dev.finetune.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The example events of {@code docs/events.md}, by topic. Contract tests on each consuming side
 * deserialise these, so the documentation cannot drift from the records.
 */
public final class DocumentedExamples {

    private static final Pattern EXAMPLE = Pattern.compile(
            "<!-- example: ([a-z.\\-]+) -->\\s*```json\\s*\\n(.*?)\\n```", Pattern.DOTALL);

    private DocumentedExamples() {
    }

    /** Reads the examples from the events document, found by walking up from the working directory. */
    public static Map<String, String> load() {
        return parse(read(locate()));
    }

    /** Example JSON of one topic, failing clearly when the document has none. */
    public static String forTopic(String topic) {
        String json = load().get(topic);
        if (json == null) {
            throw new IllegalStateException("docs/events.md has no example for topic " + topic);
        }
        return json;
    }

    static Map<String, String> parse(String markdown) {
        Map<String, String> examples = new LinkedHashMap<>();
        Matcher m = EXAMPLE.matcher(markdown);
        while (m.find()) {
            if (examples.put(m.group(1), m.group(2)) != null) {
                throw new IllegalStateException("two examples for topic " + m.group(1));
            }
        }
        return examples;
    }

    private static Path locate() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs/events.md");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("docs/events.md not found above " + Path.of("").toAbsolutePath());
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

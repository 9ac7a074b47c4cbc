package org.mlgateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the gateway's own files say: a directive's duration in nginx/, the native access log, and the
 * API servers' prediction logs.
 */
final class GatewayFiles {

    private GatewayFiles() {}

    /** The value of a `name 10s;` directive in an nginx/ file (seconds or milliseconds). */
    static Duration duration(String relative, String directive) throws IOException {
        String text = Files.readString(StackEnv.projectRoot().resolve("nginx").resolve(relative));
        Matcher m = Pattern.compile("(?m)^\\s*" + directive + "\\s+(\\d+)(ms|s)\\s*;")
                .matcher(text);
        if (!m.find()) {
            throw new AssertionError("no `" + directive + "` in nginx/" + relative);
        }
        long value = Long.parseLong(m.group(1));
        return m.group(2).equals("ms") ? Duration.ofMillis(value) : Duration.ofSeconds(value);
    }

    static Path accessLog() {
        return StackEnv.stateDir().resolve("logs/nginx/access.log");
    }

    /**
     * A place in the access log: the file (its inode, which a rotation keeps) and an offset in it. The
     * log rotates by size (scripts/lib/logs.sh): access.log becomes access.log.1, .1 becomes .2, ...
     */
    record LogPosition(Object fileKey, long offset) {}

    /** The end of the access log now: what is written after it is what a test caused. */
    static LogPosition accessLogPosition() throws IOException {
        if (!Files.exists(accessLog())) {
            return new LogPosition(null, 0);
        }
        BasicFileAttributes attributes = Files.readAttributes(accessLog(), BasicFileAttributes.class);
        return new LogPosition(attributes.fileKey(), attributes.size());
    }

    /**
     * The access log entries (one JSON object a line) written after the given position, across
     * rotations: the rest of the file the position was in, wherever it was renamed to, then every
     * newer file.
     */
    static List<JsonNode> accessLogSince(LogPosition from) throws IOException {
        List<Path> newestLast = new ArrayList<>();
        for (int i = 99; i >= 1; i--) {
            Path rotated = accessLog().resolveSibling("access.log." + i);
            if (Files.exists(rotated)) {
                newestLast.add(rotated);
            }
        }
        newestLast.add(accessLog());
        int start = newestLast.size() - 1;
        long offset = 0;
        for (int i = 0; i < newestLast.size(); i++) {
            if (from.fileKey() != null
                    && Files.exists(newestLast.get(i))
                    && from.fileKey()
                            .equals(Files.readAttributes(newestLast.get(i), BasicFileAttributes.class)
                                    .fileKey())) {
                start = i;
                offset = from.offset();
            }
        }
        List<JsonNode> entries = new ArrayList<>();
        for (int i = start; i < newestLast.size(); i++) {
            if (Files.exists(newestLast.get(i))) {
                entries.addAll(entries(newestLast.get(i), i == start ? offset : 0));
            }
        }
        return entries;
    }

    private static List<JsonNode> entries(Path file, long offset) throws IOException {
        List<JsonNode> entries = new ArrayList<>();
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            in.seek(Math.min(offset, in.length()));
            byte[] rest = new byte[(int) (in.length() - in.getFilePointer())];
            in.readFully(rest);
            for (String line : wholeLines(rest)) {
                if (!line.isBlank()) {
                    entries.add(GatewayCalls.JSON.readTree(line));
                }
            }
        }
        return entries;
    }

    /**
     * The lines of a log that its writer may be appending to, each whole: a line being written can be
     * read in part (a write that crosses a page boundary shows its first part first), so the text after
     * the last newline is left for the next read.
     */
    static List<String> wholeLines(Path log) throws IOException {
        return wholeLines(Files.readAllBytes(log));
    }

    private static List<String> wholeLines(byte[] text) {
        int whole = text.length;
        while (whole > 0 && text[whole - 1] != '\n') {
            whole--;
        }
        return new String(text, 0, whole, StandardCharsets.UTF_8).lines().toList();
    }

    /** Where a native server writes its logs: state/logs/liberty/NAME. */
    static Path serverLogDir(String server) {
        return StackEnv.stateDir().resolve("logs/liberty/" + server);
    }

    /**
     * Every whole line of a native server's prediction log (predictions.N.jsonl, one JSON object a
     * line, docs/monitoring.md), across its files; none before the server has written any.
     */
    static List<String> predictionLogLines(String server) throws IOException {
        return predictionLogLines(serverLogDir(server));
    }

    static List<String> predictionLogLines(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(f -> f.getFileName().toString().matches("predictions\\.\\d+\\.jsonl"))
                    .sorted()
                    .toList();
        }
        List<String> lines = new ArrayList<>();
        for (Path file : files) {
            lines.addAll(wholeLines(file));
        }
        return lines;
    }

    /** Who answered a request through the gateway: the server's name and the model version it served. */
    record Answer(String server, String modelVersion) {}

    /**
     * Which server and model answered each request, by request id, as the gateway logged them: the
     * last address of upstream_addr (a retried request names every server it tried) by the servers'
     * ports, and the server's X-Model-Version. The gateway tells ordinary clients neither
     * (docs/security.md); the operator's log does.
     */
    static Map<String, Answer> answersByRequestId(List<JsonNode> entries) {
        Map<Integer, String> names = new HashMap<>();
        StackServers.v1().forEach(s -> names.put(s.port(), s.name()));
        names.put(StackServers.v2().port(), StackServers.v2().name());
        names.put(StackEnv.intSetting("CANDIDATE_PORT"), "api-candidate");
        Map<String, Answer> answers = new HashMap<>();
        for (JsonNode entry : entries) {
            String[] tried = entry.path("upstream_addr").asText().split(",\\s*");
            String last = tried[tried.length - 1];
            if (last.matches(".*:[0-9]+")) {
                int port = Integer.parseInt(last.substring(last.lastIndexOf(':') + 1));
                String version = entry.path("model_version").asText();
                answers.put(
                        entry.path("request_id").asText(),
                        new Answer(names.getOrDefault(port, last), version.isEmpty() ? null : version));
            }
        }
        return answers;
    }

    /**
     * The last access log entry written after {@code from}, polled for briefly (Nginx writes a line
     * once its answer is sent): in a test that sends one request at a time, that request's.
     */
    static JsonNode lastEntrySince(LogPosition from) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<JsonNode> entries;
        while ((entries = accessLogSince(from)).isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nothing was written to " + accessLog() + " within 5 s");
            }
            Thread.sleep(20);
        }
        return entries.get(entries.size() - 1);
    }

    /** The server named by an entry's upstream_addr (its last address), or null when Nginx answered alone. */
    static String serverOf(JsonNode entry) {
        Answer answer =
                answersByRequestId(List.of(entry)).get(entry.path("request_id").asText());
        return answer == null ? null : answer.server();
    }

    /**
     * The server that answered one request, from the access log written after {@code from}: Nginx
     * writes the line once the answer is sent, so it is polled for briefly.
     */
    static String serverOf(String requestId, LogPosition from) throws IOException, InterruptedException {
        if (requestId == null) {
            throw new AssertionError("no X-Request-ID in the answer: no server can have answered it");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            Answer answer = answersByRequestId(accessLogSince(from)).get(requestId);
            if (answer != null || System.nanoTime() > deadline) {
                return answer == null ? null : answer.server();
            }
            Thread.sleep(20);
        }
    }
}

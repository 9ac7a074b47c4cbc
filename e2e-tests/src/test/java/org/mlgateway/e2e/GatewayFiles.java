package org.mlgateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the gateway's own files say: a directive's duration in nginx/, and the native access log. */
final class GatewayFiles {

    private GatewayFiles() {
    }

    /** The value of a `name 10s;` directive in an nginx/ file (seconds or milliseconds). */
    static Duration duration(String relative, String directive) throws IOException {
        String text = Files.readString(StackEnv.projectRoot().resolve("nginx").resolve(relative));
        Matcher m = Pattern.compile("(?m)^\\s*" + directive + "\\s+(\\d+)(ms|s)\\s*;").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no `" + directive + "` in nginx/" + relative);
        }
        long value = Long.parseLong(m.group(1));
        return m.group(2).equals("ms") ? Duration.ofMillis(value) : Duration.ofSeconds(value);
    }

    static Path accessLog() {
        return StackEnv.stateDir().resolve("logs/nginx/access.log");
    }

    static long accessLogSize() throws IOException {
        return Files.exists(accessLog()) ? Files.size(accessLog()) : 0;
    }

    /** The access log entries (one JSON object a line) written after the given offset. */
    static List<JsonNode> accessLogSince(long offset) throws IOException {
        List<JsonNode> entries = new ArrayList<>();
        try (RandomAccessFile file = new RandomAccessFile(accessLog().toFile(), "r")) {
            file.seek(offset);
            byte[] rest = new byte[(int) (file.length() - offset)];
            file.readFully(rest);
            for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    entries.add(GatewayCalls.JSON.readTree(line));
                }
            }
        }
        return entries;
    }
}

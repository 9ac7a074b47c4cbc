package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;

/**
 * An unauthenticated flood cannot fill the disk nor starve other clients: 50,000 requests with a
 * 7 KiB User-Agent to port 80 from 127.0.0.1 (ApacheBench, kept-alive connections) are answered 301
 * within the rate limit and 429 past it; each writes one access log line cut to under 4 KiB (about
 * 600 bytes here: uncut, the flood would write 375 MB); the log rotator keeps access.log under
 * LOG_FILE_MAX_MB with at most LOG_FILES_KEPT rotated files, so Nginx's logs stay under
 * 2 x (LOG_FILES_KEPT + 1) x LOG_FILE_MAX_MB (access and error log) plus what one check interval lets
 * through; Nginx writes to the new file after the rotation; and a client on 127.0.0.2 is served
 * throughout, on port 443 and on port 80. Every log file of the stack is readable by its owner and
 * group only.
 */
class LogFloodIT {

    private static final int FLOOD = 50_000;
    private static final Path NGINX_LOGS = StackEnv.stateDir().resolve("logs/nginx");

    @Test
    void aFloodOfLongUserAgentsToPort80LeavesTheLogsBoundedAndOthersServed() throws Exception {
        long maxBytes = StackEnv.intSetting("LOG_FILE_MAX_MB") * 1024L * 1024L;
        int kept = StackEnv.intSetting("LOG_FILES_KEPT");
        String marker = "flood-" + Long.toHexString(System.nanoTime());
        String userAgent = marker + "-" + "U".repeat(7 * 1024 - marker.length() - 1);
        GatewayFiles.LogPosition before = GatewayFiles.accessLogPosition();

        OtherClient other = new OtherClient();
        Thread otherThread = new Thread(other, "client-127.0.0.2");
        otherThread.start();
        long began = System.nanoTime();
        Command.Result ab;
        try {
            ab = Command.of(
                            "ab",
                            "-q",
                            "-k",
                            "-n",
                            String.valueOf(FLOOD),
                            "-c",
                            "8",
                            "-s",
                            "30",
                            "-H",
                            "User-Agent: " + userAgent,
                            "http://127.0.0.1:" + StackEnv.httpPort() + "/predict")
                    .timeout(Duration.ofMinutes(5))
                    .run();
        } finally {
            other.running.set(false);
            otherThread.join(30_000);
        }
        double seconds = (System.nanoTime() - began) / 1e9;
        String abOutput = ab.output();
        assertEquals(0, ab.exitCode(), abOutput);
        assertTrue(abOutput.contains("Complete requests:      " + FLOOD), abOutput);

        // Every flood request is one line of the access log, cut to a few hundred bytes.
        List<JsonNode> lines = new ArrayList<>();
        long floodBytes = 0;
        long longest = 0;
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (JsonNode entry : GatewayFiles.accessLogSince(before)) {
            if (entry.path("user_agent").asText().startsWith(marker)) {
                lines.add(entry);
                long bytes = entry.toString().getBytes(StandardCharsets.UTF_8).length + 1;
                floodBytes += bytes;
                longest = Math.max(longest, bytes);
                statuses.merge(entry.path("status").asInt(), 1, Integer::sum);
            }
        }
        System.out.printf(
                "Flood: %d requests with a 7 KiB User-Agent to port 80 in %.1f s (%.0f/s): %s; %d access log lines,"
                        + " %.1f MB, %.0f bytes each on average, the longest %d; the other client: %s%n",
                FLOOD,
                seconds,
                FLOOD / seconds,
                statuses,
                lines.size(),
                floodBytes / 1e6,
                (double) floodBytes / Math.max(1, lines.size()),
                longest,
                other.statuses);
        assertEquals(FLOOD, lines.size(), "one line per request");
        assertTrue(longest < 4096, "no line of 4 KiB or more: " + longest);
        assertEquals(
                Map.of(301, statuses.get(301), 429, FLOOD - statuses.get(301)),
                statuses,
                "redirects within the limit, 429 past it");
        int rate = StackEnv.intSetting("RATE_LIMIT");
        assertTrue(
                statuses.get(301) <= 1 + StackEnv.intSetting("RATE_BURST") + rate * (seconds + 1),
                "at most the burst and the rate got a redirect: " + statuses);

        // The other address was served all along.
        assertTrue(
                other.statuses.getOrDefault("443 200", 0) >= 10 && other.statuses.getOrDefault("80 301", 0) >= 10,
                "127.0.0.2 was served during the flood: " + other.statuses);
        assertEquals(
                List.of("443 200", "80 301"),
                new ArrayList<>(other.statuses.keySet()),
                "and nothing else: " + other.statuses);

        // The rotator keeps access.log under its size (it looks every few seconds) and Nginx writes to the new file.
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Files.size(GatewayFiles.accessLog()) > maxBytes && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(200);
        }
        assertTrue(
                Files.size(GatewayFiles.accessLog()) <= maxBytes,
                "access.log rotated at " + maxBytes + " bytes: " + listing());
        String after = "after-" + marker;
        HttpURLConnection health = (HttpURLConnection)
                new URL("http://127.0.0.1:" + StackEnv.httpPort() + "/gateway-health").openConnection();
        health.setRequestProperty("User-Agent", after);
        health.setInstanceFollowRedirects(false);
        health.getResponseCode(); // 301, or 429 while 127.0.0.1's budget is still spent
        long lineDeadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!Files.readString(GatewayFiles.accessLog(), StandardCharsets.ISO_8859_1)
                .contains(after)) {
            assertTrue(
                    System.nanoTime() < lineDeadline,
                    "Nginx writes to the new access.log after the rotation (USR1): " + listing());
            TimeUnit.MILLISECONDS.sleep(50);
        }
        long accessFiles;
        long total;
        try (Stream<Path> files = Files.list(NGINX_LOGS)) {
            List<Path> all = files.filter(Files::isRegularFile).toList();
            accessFiles = all.stream()
                    .filter(p -> p.getFileName().toString().startsWith("access.log"))
                    .count();
            total = all.stream()
                    .filter(p -> p.getFileName().toString().matches("(access|error)\\.log(\\.\\d+)?"))
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
        assertTrue(accessFiles <= kept + 1, "at most " + kept + " rotated access logs: " + listing());
        assertTrue(
                total <= 2L * (kept + 1) * maxBytes,
                "Nginx's logs under 2 x (LOG_FILES_KEPT + 1) x LOG_FILE_MAX_MB: " + listing());
        assertOwnerAndGroupOnly(StackEnv.stateDir().resolve("logs"));
        assertOwnerAndGroupOnly(NGINX_LOGS.toRealPath()); // state/logs/nginx may link to /var/log/ml-gateway/...
        assertOwnerAndGroupOnly(StackEnv.stateDir().resolve("supervisor"));
    }

    /** No log file of the stack may be read by others. */
    private static void assertOwnerAndGroupOnly(Path dir) throws IOException {
        List<String> open = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().matches(".*\\.(log|jsonl)(\\.\\d+)?"))
                    .toList()) {
                var permissions = Files.getPosixFilePermissions(file);
                if (permissions.contains(PosixFilePermission.OTHERS_READ)
                        || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
                    open.add(dir.relativize(file) + " "
                            + java.nio.file.attribute.PosixFilePermissions.toString(permissions));
                }
            }
        }
        assertEquals(List.of(), open, "log files others may read, under " + dir);
    }

    private static String listing() throws IOException {
        try (Stream<Path> files = Files.list(NGINX_LOGS)) {
            return files.map(p -> p.getFileName() + "=" + p.toFile().length())
                    .sorted()
                    .toList()
                    .toString();
        }
    }

    /** A client on 127.0.0.2 while the flood runs: /gateway-health on 443 and a redirect on 80, every 100 ms. */
    private static final class OtherClient implements Runnable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final Map<String, Integer> statuses = new java.util.concurrent.ConcurrentSkipListMap<>();

        @Override
        public void run() {
            try {
                InetAddress source = InetAddress.getByName("127.0.0.2");
                SSLSocketFactory tls = new SourceBoundSocketFactory(
                        TrustStores.sslContext(StackEnv.certificate(), "TLS").getSocketFactory(), source);
                while (running.get()) {
                    HttpsURLConnection https = (HttpsURLConnection)
                            new URL("https://127.0.0.1:" + StackEnv.httpsPort() + "/gateway-health").openConnection();
                    https.setSSLSocketFactory(tls);
                    https.setConnectTimeout(5_000);
                    https.setReadTimeout(5_000);
                    statuses.merge("443 " + status(https), 1, Integer::sum);
                    statuses.merge("80 " + plainStatus(source), 1, Integer::sum);
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            } catch (Exception e) {
                statuses.merge("error " + e, 1, Integer::sum);
            }
        }

        private static int status(HttpURLConnection connection) throws IOException {
            int status = connection.getResponseCode();
            try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (in != null) {
                    in.readAllBytes();
                }
            }
            return status;
        }

        /** GET / on port 80 from the given source address, on a socket of its own. */
        private static int plainStatus(InetAddress source) throws IOException {
            try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), StackEnv.httpPort(), source, 0)) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream()
                        .write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.ISO_8859_1));
                String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
                return Integer.parseInt(head.substring(9, 12));
            }
        }
    }
}

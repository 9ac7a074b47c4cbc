package org.mlgateway.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * A steady stream of POST /predict through the gateway, as real clients would send it: TLS verified
 * against the generated certificate, basic auth, kept-alive connections, each request sent exactly
 * once (no client-side retry). The rate is split over several loopback source addresses so each
 * stays under the per-client rate limit. Every outcome is recorded for the test to judge.
 */
final class SteadyLoad {

    /** Two clients: together 150 requests/s, each 75, under the default limit of 100 per address. */
    static final List<String> SOURCES = List.of("127.0.0.1", "127.0.0.2");

    static final int REQUESTS_PER_SECOND = 150;

    /** After a stall the pacer catches up at most this much, so a client never bursts into the rate limit. */
    private static final Duration MAX_CATCH_UP = Duration.ofMillis(250);

    private static final int WARM_CONNECTIONS = 16;
    /** A load counts when it sent at least this share of the planned requests, ... */
    static final double MIN_SENT_SHARE = 0.9;
    /**
     * ... and never stopped starting requests for longer than this. The load runs on the two cores it
     * measures, beside servers that compile for a minute after each start: gaps of 165-588 ms were
     * seen there in CI with every request answered. A second is 150 requests late, not lost, and no
     * step of a failover or rollout (drain, stop, start, warm-up) is that short, so no failure hides in it.
     */
    static final Duration MAX_GAP = Duration.ofMillis(1000);
    /** Resends of one request on connections the gateway closed before answering (send). */
    private static final int MAX_RESENDS = 3;

    static {
        // A streamed POST is never resent by HttpURLConnection; say so for any other path too. More
        // kept-alive connections per client than the default 5, so slow moments do not mean new handshakes.
        System.setProperty("sun.net.http.retryPost", "false");
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", "64");
        }
    }

    /**
     * One request: when it started (ns since the load began), what came back or the client-side error,
     * and how long the client waited for it.
     * Each request is a client of its own (X-Client-ID, the canary's sticky key) and gets the gateway's
     * request id back (X-Request-ID, the key of the prediction logs). Which server and model answered
     * the client is not told (docs/security.md): servedBy and modelVersion come from the gateway's
     * access log by that request id once the load stopped.
     */
    record Outcome(
            String source,
            long startedNanos,
            int status,
            String servedBy,
            String modelVersion,
            String error,
            String clientId,
            String requestId,
            long latencyNanos) {

        Outcome(String source, long startedNanos, int status, String servedBy, String modelVersion, String error) {
            this(source, startedNanos, status, servedBy, modelVersion, error, null, null, 0);
        }

        boolean succeeded() {
            return status == 200 && error == null;
        }

        String describe() {
            return error != null ? error : "HTTP " + status;
        }
    }

    /**
     * peakExcess: per source, the most requests above the rate that Nginx's limit_req bucket held,
     * replayed from the access log's arrival times (msec, when logged, minus request_time). The client paces
     * itself by its own clock; this is the gateway's clock, where a pause of the gateway bunches the
     * requests it then reads. Above RATE_BURST means 429s.
     */
    record Result(List<Outcome> outcomes, Duration duration, int resent, Map<String, Double> peakExcess) {
        Result(List<Outcome> outcomes, Duration duration) {
            this(outcomes, duration, 0, Map.of());
        }

        int sent() {
            return outcomes.size();
        }

        List<Outcome> failures() {
            return outcomes.stream().filter(o -> !o.succeeded()).toList();
        }

        double requestsPerSecond() {
            return outcomes.size() / (duration.toNanos() / 1e9);
        }

        /** What the pacers were to send over the whole duration at REQUESTS_PER_SECOND. */
        long planned() {
            return Math.round(duration.toNanos() / 1e9 * REQUESTS_PER_SECOND);
        }

        /** The longest time no request was started: between two starts, or at either end of the load. */
        Duration longestGap() {
            return Duration.ofNanos(longestGapEndingAt()[0]);
        }

        /** The longest gap and when it ended (ns since the load began), to find what stalled the sending. */
        private long[] longestGapEndingAt() {
            long previous = 0;
            long[] longest = {0, 0};
            for (Outcome outcome : outcomes) {
                if (outcome.startedNanos() - previous > longest[0]) {
                    longest = new long[] {outcome.startedNanos() - previous, outcome.startedNanos()};
                }
                previous = outcome.startedNanos();
            }
            return duration.toNanos() - previous > longest[0]
                    ? new long[] {duration.toNanos() - previous, duration.toNanos()}
                    : longest;
        }

        /**
         * Why this load does not prove anything, or null when it does: a test that sent too little,
         * or paused sending while the disruption happened, would pass without having tested it.
         */
        String unsteadiness() {
            if (sent() < MIN_SENT_SHARE * planned()) {
                return String.format(
                        "only %d of %d planned requests were sent (%.0f %%, at least %.0f %% needed)",
                        sent(), planned(), 100.0 * sent() / Math.max(1, planned()), 100 * MIN_SENT_SHARE);
            }
            if (longestGap().compareTo(MAX_GAP) > 0) {
                return "no request was started for " + longestGap().toMillis() + " ms (at most " + MAX_GAP.toMillis()
                        + " ms allowed)";
            }
            return null;
        }

        Map<String, Long> countBy(Predicate<Outcome> filter, java.util.function.Function<Outcome, String> key) {
            return outcomes.stream()
                    .filter(filter)
                    .collect(Collectors.groupingBy(
                            o -> String.valueOf(key.apply(o)), TreeMap::new, Collectors.counting()));
        }

        String summary() {
            return String.format(
                    "%d requests (%d planned) in %.1f s (%.0f/s), longest gap %d ms (ending %.2f s in), from %s; failed %d; resent on a connection the gateway closed %d; by source %s; answered by %s; model versions %s%s%s",
                    sent(),
                    planned(),
                    duration.toNanos() / 1e9,
                    requestsPerSecond(),
                    longestGap().toMillis(),
                    longestGapEndingAt()[1] / 1e9,
                    SOURCES,
                    failures().size(),
                    resent,
                    countBy(o -> true, Outcome::source),
                    countBy(o -> true, Outcome::servedBy),
                    countBy(o -> true, Outcome::modelVersion),
                    peakExcess.isEmpty()
                            ? ""
                            : "; peak excess in the gateway's rate-limit bucket "
                                    + peakExcess.entrySet().stream()
                                            .map(e -> String.format("%s=%.1f", e.getKey(), e.getValue()))
                                            .toList()
                                    + " of burst " + StackEnv.setting("RATE_BURST"),
                    failures().isEmpty()
                            ? ""
                            : "; failures " + countBy(o -> !o.succeeded(), Outcome::describe)
                                    + ", the first at "
                                    + failures().stream()
                                            .limit(10)
                                            .map(o -> String.format("%.2fs/%s", o.startedNanos() / 1e9, o.source()))
                                            .toList());
        }
    }

    private final URL predict;
    private final String authorization = GatewayCalls.basicAuthorization();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final java.util.concurrent.atomic.AtomicInteger resent = new java.util.concurrent.atomic.AtomicInteger();
    private final ExecutorService senders = Executors.newCachedThreadPool();
    private final List<Thread> pacers = new ArrayList<>();
    private volatile long begin = System.nanoTime();
    private GatewayFiles.LogPosition accessLogStart;

    private SteadyLoad() throws IOException {
        // 127.0.0.1, not localhost: the client addresses are IPv4, and the certificate names the IP too.
        predict = new URL("https://127.0.0.1:" + StackEnv.httpsPort() + "/predict");
    }

    /** Warms up, then sends at the steady rate until {@link #stop()}. */
    static SteadyLoad start() throws IOException, InterruptedException {
        SteadyLoad load = new SteadyLoad();
        SSLSocketFactory tls =
                TrustStores.sslContext(StackEnv.certificate(), "TLS").getSocketFactory();
        List<SSLSocketFactory> factories = new ArrayList<>();
        for (String source : SOURCES) {
            factories.add(new SourceBoundSocketFactory(tls, InetAddress.getByName(source)));
        }
        load.warmUp(factories);
        load.accessLogStart = GatewayFiles.accessLogPosition();
        load.begin = System.nanoTime();
        long periodNanos = TimeUnit.SECONDS.toNanos(1) * SOURCES.size() / REQUESTS_PER_SECOND;
        for (int i = 0; i < SOURCES.size(); i++) {
            String source = SOURCES.get(i);
            SSLSocketFactory bound = factories.get(i);
            long offset = periodNanos * i / SOURCES.size();
            Thread pacer = new Thread(() -> load.pace(source, bound, periodNanos, offset), "load-" + source);
            pacer.setDaemon(true);
            load.pacers.add(pacer);
            pacer.start();
        }
        return load;
    }

    /**
     * A cold client needs a TLS handshake (and a JIT) for every early request; those requests would
     * then reach the gateway bunched together and meet the rate limit. Kept-alive connections are
     * opened first on the gateway's own health URL, whose rate limit is not the one of /predict
     * (48 requests per address, well within its burst).
     */
    private void warmUp(List<SSLSocketFactory> factories) throws IOException, InterruptedException {
        URL health = new URL("https://127.0.0.1:" + StackEnv.httpsPort() + "/gateway-health");
        List<java.util.concurrent.Future<?>> opening = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (SSLSocketFactory factory : factories) {
                for (int i = 0; i < WARM_CONNECTIONS; i++) {
                    opening.add(senders.submit(() -> {
                        HttpsURLConnection connection = (HttpsURLConnection) health.openConnection();
                        connection.setSSLSocketFactory(factory);
                        connection.setConnectTimeout(10_000);
                        connection.setReadTimeout(30_000);
                        try (InputStream in = connection.getInputStream()) {
                            in.readAllBytes();
                        }
                        return null;
                    }));
                }
            }
            for (java.util.concurrent.Future<?> future : opening) {
                try {
                    future.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new IOException("the gateway does not answer its health URL", e);
                }
            }
            opening.clear();
        }
    }

    long elapsedNanos() {
        return System.nanoTime() - begin;
    }

    /** Stops sending, waits for the requests in flight, and returns every outcome. */
    Result stop() throws InterruptedException {
        running.set(false);
        for (Thread pacer : pacers) {
            pacer.join();
        }
        Duration duration = Duration.ofNanos(elapsedNanos());
        senders.shutdown();
        if (!senders.awaitTermination(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("requests still in flight 60 s after the load stopped");
        }
        List<JsonNode> log = accessLog();
        Map<String, GatewayFiles.Answer> answers = GatewayFiles.answersByRequestId(log);
        List<Outcome> all = new ArrayList<>();
        for (Outcome o : outcomes) {
            GatewayFiles.Answer answer = o.requestId() == null ? null : answers.get(o.requestId());
            all.add(
                    answer == null
                            ? o
                            : new Outcome(
                                    o.source(),
                                    o.startedNanos(),
                                    o.status(),
                                    answer.server(),
                                    answer.modelVersion(),
                                    o.error(),
                                    o.clientId(),
                                    o.requestId(),
                                    o.latencyNanos()));
        }
        all.sort((a, b) -> Long.compare(a.startedNanos(), b.startedNanos()));
        return new Result(List.copyOf(all), duration, resent.get(), peakExcess(log));
    }

    /**
     * The gateway's access log lines of this load (a line is written once its answer is sent: every
     * request has been answered by now); empty where there is no native access log to read.
     */
    private List<JsonNode> accessLog() {
        try {
            return GatewayFiles.accessLogSince(accessLogStart);
        } catch (IOException | RuntimeException unreadable) {
            return List.of();
        }
    }

    /** Replays limit_req's bucket per source on the gateway's own arrival times (see {@link Result}). */
    private Map<String, Double> peakExcess(List<JsonNode> log) {
        record Arrival(double at, boolean refused) {}
        Map<String, List<Arrival>> arrivals = new TreeMap<>();
        try {
            for (JsonNode entry : log) {
                String source = entry.path("remote_addr").asText();
                if (SOURCES.contains(source)
                        && entry.path("request").asText().startsWith("POST /predict ")
                        && entry.has("msec")) {
                    arrivals.computeIfAbsent(source, s -> new ArrayList<>())
                            .add(new Arrival(
                                    entry.path("msec").asDouble()
                                            - entry.path("request_time").asDouble(),
                                    entry.path("status").asInt() == 429));
                }
            }
        } catch (RuntimeException unreadable) {
            return Map.of(); // not the native stack's log: nothing to replay
        }
        int rate = StackEnv.intSetting("RATE_LIMIT");
        Map<String, Double> peaks = new TreeMap<>();
        arrivals.forEach((source, requests) -> {
            requests.sort(Comparator.comparingDouble(Arrival::at));
            RateLimitBucket bucket = new RateLimitBucket(rate);
            double peak = 0;
            for (Arrival request : requests) {
                peak = Math.max(peak, bucket.excessWith(request.at()));
                if (!request.refused()) {
                    bucket.accept(request.at());
                }
            }
            peaks.put(source, peak);
        });
        return peaks;
    }

    private void pace(String source, SSLSocketFactory factory, long periodNanos, long offsetNanos) {
        long next = System.nanoTime() + offsetNanos;
        int sequence = 0;
        // The gateway's rate limit as Nginx counts it (leaky bucket): each catch-up after a stall is
        // small, but stalls in a row on a busy machine added up to the burst and met 429s. Like a polite
        // client, never use more than a quarter of the burst: the rest is for the gateway's own pauses.
        int rate = StackEnv.intSetting("RATE_LIMIT");
        double perNano = rate / 1e9;
        double maxExcess = StackEnv.intSetting("RATE_BURST") / 4.0;
        RateLimitBucket bucket = new RateLimitBucket(rate);
        while (running.get()) {
            long now = System.nanoTime();
            double wouldBe = bucket.excessWith(now / 1e9);
            if (wouldBe > maxExcess && now >= next) {
                next = now + (long) ((wouldBe - maxExcess) / perNano) + 1;
            }
            if (now < next) {
                try {
                    TimeUnit.NANOSECONDS.sleep(next - now);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            next = Math.max(next, now - MAX_CATCH_UP.toNanos()) + periodNanos;
            bucket.accept(now / 1e9);
            String clientId = "load-" + source + "-" + sequence;
            String sentence = "Steady load " + source + " #" + sequence++ + ": what a lovely day";
            senders.execute(() -> outcomes.add(send(source, factory, sentence, clientId)));
        }
    }

    /**
     * One request, sent again once when the gateway closed its kept-alive connection before any
     * answer: Nginx closes its idle connections when it reloads (a canary step), and a request sent
     * on one in that instant meets a closed socket before Nginx read it. HTTP/1.1 clients resend in
     * that case (RFC 9112, 9.3.1); the resend may take another kept-alive connection the reload
     * closed, so up to MAX_RESENDS. The resends are counted and printed, never hidden.
     */
    private Outcome send(String source, SSLSocketFactory factory, String sentence, String clientId) {
        Outcome outcome = sendOnce(source, factory, sentence, clientId);
        for (int resend = 0; resend < MAX_RESENDS && closedBeforeAnswer(outcome); resend++) {
            resent.incrementAndGet();
            outcome = sendOnce(source, factory, sentence, clientId);
        }
        return outcome;
    }

    private static boolean closedBeforeAnswer(Outcome outcome) {
        return outcome.status() == -1
                && outcome.error() != null
                && (outcome.error().contains("Unexpected end of file from server")
                        || outcome.error().contains("Connection reset"));
    }

    private Outcome sendOnce(String source, SSLSocketFactory factory, String sentence, String clientId) {
        long started = elapsedNanos();
        byte[] body = ("{\"sentence\": \"" + sentence + "\"}").getBytes(StandardCharsets.UTF_8);
        try {
            HttpsURLConnection connection = (HttpsURLConnection) predict.openConnection();
            connection.setSSLSocketFactory(factory);
            connection.setConnectTimeout(10_000);
            connection.setReadTimeout(30_000);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            connection.setRequestProperty("Authorization", authorization);
            connection.setRequestProperty("Content-Type", "application/json");
            connection.setRequestProperty("X-Client-ID", clientId);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            // Read to the end so the connection goes back to the keep-alive pool.
            try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (in != null) {
                    in.readAllBytes();
                }
            }
            // Named by the access log once the load stopped (stop()); the gateway does not tell a client.
            return new Outcome(
                    source,
                    started,
                    status,
                    null,
                    null,
                    null,
                    clientId,
                    connection.getHeaderField("X-Request-ID"),
                    elapsedNanos() - started);
        } catch (IOException | RuntimeException e) {
            return new Outcome(
                    source,
                    started,
                    -1,
                    null,
                    null,
                    e.getClass().getSimpleName() + ": " + e.getMessage(),
                    clientId,
                    null,
                    elapsedNanos() - started);
        }
    }
}

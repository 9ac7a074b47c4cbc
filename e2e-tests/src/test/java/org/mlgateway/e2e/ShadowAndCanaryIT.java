package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A candidate server beside the champion (scripts/delivery.sh): first probed by one client with 200
 * client IDs, who cannot tell which of them the candidate answers; then under steady load from two
 * client addresses, a sticky canary share with a reload in the middle, then shadow traffic to a
 * candidate that hangs (SIGSTOP) and is killed (SIGKILL). Clients never see a failure. The candidate
 * runs the champion's own WAR here: what is tested is the traffic, not the model.
 */
@Tag("disruptive")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShadowAndCanaryIT {

    private static final String CANDIDATE = "api-candidate";
    private static final int CANARY_PERCENT = 25;
    /** Distinct client keys the share is measured over: the load gives each request its own X-Client-ID. */
    private static final int KEYS = 10_000;

    private static final Path LOGS = StackEnv.stateDir().resolve("logs");

    @BeforeAll
    static void startCandidate() throws Exception {
        StackServers.requireAllReady();
        Path war = StackServers.deployedWar(StackServers.v1().get(0), "v1");
        delivery("candidate-start", war.toString());
    }

    @AfterAll
    static void stopCandidate() throws Exception {
        delivery("candidate-stop");
        assertEquals("STOPPED", StackServers.supervisorState(CANDIDATE));
        assertTrue(
                Files.readString(StackEnv.stateDir().resolve("nginx/upstreams/delivery.conf"))
                        .contains("shadow 0 %, canary 0 %"),
                "the shares are back to 0");
    }

    /**
     * A client that tries client IDs to find the ones the candidate answers (to pin itself to one side,
     * or to send the candidate what trips its gates) learns nothing from the answers: at a 5 % share,
     * 200 IDs probed and then replayed all get the same answer, headers and all, though the gateway's
     * log shows the candidate answered some of them, each on its own side both times.
     */
    @Test
    @Order(1)
    void atFivePercentNoClientCanTellFromTheAnswerWhichIdsTheCandidateAnswers() throws Exception {
        delivery("traffic", "0", "5");
        awaitNewWorkers();
        String run = Long.toHexString(System.nanoTime());
        List<String> ids = java.util.stream.IntStream.range(0, 200)
                .mapToObj(i -> "probe-" + run + "-" + i)
                .toList();
        GatewayFiles.LogPosition before = GatewayFiles.accessLogPosition();
        Map<String, List<Response>> answers = new java.util.LinkedHashMap<>();
        for (int round = 0; round < 2; round++) {
            for (String id : ids) {
                Response answer = StackEnv.authenticated()
                        .contentType(ContentType.JSON)
                        .header("X-Client-ID", id)
                        .body(Map.of("sentence", "Which side am I on?"))
                        .post("/predict");
                assertEquals(200, answer.statusCode(), answer.asString());
                answers.computeIfAbsent(id, k -> new java.util.ArrayList<>()).add(answer);
                GatewayCalls.paceBelowRateLimit();
            }
        }

        // The operator's view: which server answered each request.
        Map<String, GatewayFiles.Answer> logged = Map.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        Set<String> requestIds = answers.values().stream()
                .flatMap(List::stream)
                .map(r -> r.header("X-Request-ID"))
                .collect(Collectors.toSet());
        while (!(logged = GatewayFiles.answersByRequestId(GatewayFiles.accessLogSince(before)))
                        .keySet()
                        .containsAll(requestIds)
                && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        Set<String> onCandidate = new java.util.TreeSet<>();
        for (Map.Entry<String, List<Response>> e : answers.entrySet()) {
            List<Boolean> sides = new java.util.ArrayList<>();
            for (Response r : e.getValue()) {
                GatewayFiles.Answer answer = logged.get(r.header("X-Request-ID"));
                assertTrue(answer != null, "the gateway logged " + e.getKey() + "'s request");
                sides.add(CANDIDATE.equals(answer.server()));
            }
            assertEquals(sides.get(0), sides.get(1), e.getKey() + " changed sides between probe and replay");
            if (sides.get(0)) {
                onCandidate.add(e.getKey());
            }
        }
        System.out.printf(
                "Canary 5 %%: the candidate answered %d of 200 probed client IDs, both times%n", onCandidate.size());
        assertTrue(
                !onCandidate.isEmpty() && onCandidate.size() <= 30,
                "a 5 % share of 200 IDs on the candidate: " + onCandidate.size());

        // The client's view: every answer alike, whichever side gave it (Date and the request's own id aside).
        Map<String, List<String>> byAnswer = new java.util.TreeMap<>();
        answers.forEach((id, responses) ->
                responses.forEach(r -> byAnswer.computeIfAbsent(fingerprint(r), k -> new java.util.ArrayList<>())
                        .add(id + (onCandidate.contains(id) ? " (candidate)" : " (champion)"))));
        assertEquals(
                1,
                byAnswer.size(),
                "answers that differ tell a client its side: "
                        + byAnswer.entrySet().stream()
                                .map(e -> e.getKey() + " <- "
                                        + e.getValue().stream().limit(3).toList())
                                .toList());
    }

    /** Everything a client sees of an answer but the date and the request's own id. */
    private static String fingerprint(Response r) {
        return r.statusCode() + " "
                + r.headers().asList().stream()
                        .filter(h -> !h.getName().equalsIgnoreCase("Date")
                                && !h.getName().equalsIgnoreCase("X-Request-ID"))
                        .map(h -> h.getName().toLowerCase(java.util.Locale.ROOT) + ": " + h.getValue())
                        .sorted()
                        .toList()
                + " " + r.asString();
    }

    /**
     * The candidate compares an answer with the champion's model only for the gateway's mirrored copy:
     * X-Shadow counts with the gateway's token (GatewayOriginIT), never from whoever reaches the
     * candidate's port on loopback, who could otherwise feed its agreement gate.
     */
    @Test
    @Order(2)
    void aShadowMarkFromAnyoneButTheGatewayIsIgnored() throws Exception {
        int port = StackEnv.intSetting("CANDIDATE_PORT");
        double before = comparisons(port);
        GatewayOriginIT.predictDirect(port, Map.of("X-Shadow", "1"));
        GatewayOriginIT.predictDirect(port, Map.of("X-Shadow", "1", "X-Gateway-Token", "0".repeat(32)));
        assertEquals(before, comparisons(port), "no comparison for a shadow mark without the gateway's token");
        GatewayOriginIT.predictDirect(port, Map.of("X-Shadow", "1", "X-Gateway-Token", GatewayOriginIT.gatewayToken()));
        assertEquals(before + 1, comparisons(port), "one comparison for the gateway's own mark");
    }

    /** shadow_comparisons_total of the candidate, from its own /metrics. */
    private static double comparisons(int port) throws Exception {
        var response = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.body()
                .lines()
                .filter(l -> l.startsWith("shadow_comparisons_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    @Order(3)
    void aStickyCanaryShareWithinTwoPointsAndAReloadThatLosesNothing() throws Exception {
        delivery("traffic", "0", String.valueOf(CANARY_PERCENT));
        assertEquals(
                championPriorities(),
                StackServers.threadNiceValues(StackServers.process(CANDIDATE)),
                "answering clients, the candidate runs at the champions' CPU priority (nice)");
        awaitNewWorkers();
        SteadyLoad load = SteadyLoad.start();
        SteadyLoad.Result result;
        long reloadedAt;
        try {
            // 5 % more time than KEYS requests need: the load may send a little below its rate (SteadyLoad's pacing).
            long keysTime = TimeUnit.SECONDS.toNanos(1) * KEYS / SteadyLoad.REQUESTS_PER_SECOND * 105 / 100;
            TimeUnit.NANOSECONDS.sleep(keysTime / 2);
            // Changing a share mid-load: shadow on, canary the same, so the measured share holds throughout.
            reloadedAt = load.elapsedNanos();
            delivery("traffic", "50", String.valueOf(CANARY_PERCENT));
            TimeUnit.NANOSECONDS.sleep(Math.max(0, keysTime - load.elapsedNanos()) + TimeUnit.SECONDS.toNanos(1));
        } finally {
            result = load.stop();
        }
        System.out.println("Canary " + CANARY_PERCENT + " %, nginx reloaded " + reloadedAt / 1_000_000_000 + " s in: "
                + result.summary());
        long reload = reloadedAt;
        championP99WithoutShadow = p99Millis(result.outcomes().stream()
                .filter(o -> o.startedNanos() > 1_000_000_000L
                        && o.startedNanos() < reload
                        && !CANDIDATE.equals(o.servedBy()))
                .toList());
        assertNull(result.unsteadiness(), result.summary());
        assertEquals(List.of(), result.failures(), "no failed request through the reload: " + result.summary());

        long keys = result.outcomes().stream()
                .map(SteadyLoad.Outcome::clientId)
                .distinct()
                .count();
        assertTrue(keys >= KEYS, "distinct client keys: " + keys);
        long byCandidate = result.outcomes().stream()
                .filter(o -> CANDIDATE.equals(o.servedBy()))
                .count();
        double share = 100.0 * byCandidate / result.sent();
        System.out.printf("Canary share over %d distinct keys: %.2f %% (weight %d %%)%n", keys, share, CANARY_PERCENT);
        assertTrue(
                Math.abs(share - CANARY_PERCENT) <= 2,
                "candidate share " + share + " % for a weight of " + CANARY_PERCENT + " %");

        // Sticky: the same key gets the same side again, from another address too.
        Map<Boolean, List<SteadyLoad.Outcome>> sides = result.outcomes().stream()
                .limit(2_000)
                .collect(Collectors.partitioningBy(o -> CANDIDATE.equals(o.servedBy())));
        int checked = 0;
        for (boolean candidate : List.of(true, false)) {
            for (SteadyLoad.Outcome o : sides.get(candidate).subList(0, 40)) {
                GatewayFiles.LogPosition before = GatewayFiles.accessLogPosition();
                Response again = StackEnv.authenticated()
                        .contentType(ContentType.JSON)
                        .header("X-Client-ID", o.clientId())
                        .body(Map.of("sentence", "same client again"))
                        .post("/predict");
                assertEquals(200, again.statusCode(), again.asString());
                assertEquals(
                        candidate,
                        CANDIDATE.equals(GatewayFiles.serverOf(again.header("X-Request-ID"), before)),
                        o.clientId() + " changed sides");
                checked++;
                GatewayCalls.paceBelowRateLimit();
            }
        }
        assertEquals(80, checked);
    }

    @Test
    @Order(4)
    void shadowTrafficNeverReachesAClientEvenWhenTheCandidateHangsOrDies() throws Exception {
        delivery("traffic", "100", "0");
        awaitNewWorkers();
        ProcessHandle jvm = StackServers.process(CANDIDATE);
        String champion = StackServers.modelVersion(StackServers.v1().get(0));
        Map<String, String> gateQueries = gateQueries(champion);
        // Its p99 gate in the shadow phase compares it with the champion: only fair at the same priority.
        assertEquals(
                championPriorities(),
                StackServers.threadNiceValues(jvm),
                "with shadow copies only, the candidate still runs at the champions' CPU priority (nice)");
        SteadyLoad load = SteadyLoad.start();
        SteadyLoad.Result result;
        long stoppedAt;
        long agreementSeenAt;
        try {
            // The candidate scores each copy with the champion's model too: the comparison reaches Prometheus.
            String version = StackServers.modelVersion(StackServers.v1().get(0));
            String agreement = "versions:shadow_agreement:ratio_rate1m{champion_version=\"" + version
                    + "\", candidate_version=\"" + version + "\"}";
            JsonNode seen = PrometheusQueries.poll(
                    Duration.ofSeconds(30), () -> PrometheusQueries.query(agreement), r -> !r.isEmpty());
            agreementSeenAt = load.elapsedNanos();
            assertEquals(1, seen.size(), agreement + ": " + seen);
            assertEquals(
                    1.0,
                    Double.parseDouble(seen.get(0).path("value").get(1).asText()),
                    1e-9,
                    "the candidate runs the champion's model: it agrees on every request");
            assertEquals(
                    0.0,
                    PrometheusQueries.scalar("shadow_probability_difference{candidate_version=\"" + version + "\"}"),
                    1e-12,
                    "and gives the same probabilities");
            Map<String, String> empty = new java.util.TreeMap<>();
            GrafanaDashboardIT.panelQueries(true).forEach((panel, expr) -> {
                if (PrometheusQueries.query(GrafanaDashboardIT.substitute(expr)).isEmpty()
                        && !expr.contains("agree=\"false\"")) {
                    empty.put(panel, expr);
                }
            });
            assertEquals(Map.of(), empty, "candidate panels without data (disagreements aside: there are none)");
            assertGatesReadTheServers(gateQueries);
            TimeUnit.NANOSECONDS.sleep(Math.max(0, TimeUnit.SECONDS.toNanos(6) - load.elapsedNanos()));
            stoppedAt = load.elapsedNanos();
            signal("STOP", jvm.pid());
            try {
                TimeUnit.SECONDS.sleep(8);
            } finally {
                signal("CONT", jvm.pid());
            }
            TimeUnit.SECONDS.sleep(3);
            signal("KILL", jvm.pid());
            TimeUnit.SECONDS.sleep(6);
        } finally {
            signal("CONT", jvm.pid());
            result = load.stop();
        }
        System.out.printf(
                "Shadow 100 %%: agreement in Prometheus %.1f s after the load began; candidate stopped (SIGSTOP) at %.1f s for 8 s, then killed (SIGKILL) 3 s later: %s%n",
                agreementSeenAt / 1e9, stoppedAt / 1e9, result.summary());
        assertNull(result.unsteadiness(), result.summary());
        assertEquals(List.of(), result.failures(), "clients see only the champion: " + result.summary());
        assertEquals(
                0,
                result.outcomes().stream()
                        .filter(o -> CANDIDATE.equals(o.servedBy()))
                        .count(),
                "no answer from the shadow");

        // Before the stop, the candidate scored the copies: their request ids are in its prediction log.
        Set<String> before = result.outcomes().stream()
                .filter(o -> o.startedNanos() > 1_000_000_000L && o.startedNanos() < stoppedAt - 1_000_000_000L)
                .map(SteadyLoad.Outcome::requestId)
                .collect(Collectors.toSet());
        Set<String> mirrored = candidateRequestIds();
        // What mirroring costs a client, printed and not asserted (a latency on a shared two-core machine is
        // a measurement): p99 of the champion's answers with shadow at 100 %, against the first test's
        // first half (shadow at 0), in the same run.
        long stop = stoppedAt;
        double withShadow = p99Millis(result.outcomes().stream()
                .filter(o -> o.startedNanos() > 1_000_000_000L && o.startedNanos() < stop)
                .toList());
        System.out.printf(
                "Client p99 of champion answers: shadow 0 %% %.2f ms, shadow 100 %% %.2f ms (ratio %.2f)%n",
                championP99WithoutShadow, withShadow, withShadow / championP99WithoutShadow);
        long seen = before.stream().filter(mirrored::contains).count();
        System.out.printf(
                "Shadow copies logged by the candidate: %d of %d requests sent while it ran%n", seen, before.size());
        assertTrue(
                before.size() > 500 && seen >= 0.98 * before.size(),
                seen + " of " + before.size() + " mirrored requests logged");
    }

    /** Set by the first test: the champion's p99 before shadow traffic was turned on. */
    private static double championP99WithoutShadow = Double.NaN;

    private static double p99Millis(List<SteadyLoad.Outcome> outcomes) {
        long[] sorted = outcomes.stream()
                .filter(SteadyLoad.Outcome::succeeded)
                .mapToLong(SteadyLoad.Outcome::latencyNanos)
                .sorted()
                .toArray();
        return sorted.length == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(0.99 * sorted.length) - 1)] / 1e6;
    }

    private static Set<String> candidateRequestIds() throws Exception {
        Set<String> ids = new HashSet<>();
        for (String line : GatewayFiles.predictionLogLines(CANDIDATE)) {
            ids.add(GatewayCalls.JSON.readTree(line).path("request_id").asText());
        }
        return ids;
    }

    private static Set<Integer> championPriorities() throws Exception {
        return StackServers.threadNiceValues(
                StackServers.process(StackServers.v1().get(0)));
    }

    /** A reload starts new workers and lets the old ones finish: new connections meet the new shares soon after. */
    private static void awaitNewWorkers() throws InterruptedException {
        TimeUnit.SECONDS.sleep(2);
    }

    /** Every gate's queries of delivery/canary.yaml as make canary sends them (canary.sh queries), over the last 60 s. */
    private static Map<String, String> gateQueries(String candidateVersion) throws Exception {
        Map<String, String> queries = new java.util.LinkedHashMap<>();
        for (String phase : List.of("shadow", "canary")) {
            Path out = LOGS.resolve("canary-queries-" + phase + ".tsv");
            assertEquals(
                    0,
                    StackServers.runScript(
                            out,
                            Map.of(),
                            Duration.ofSeconds(60),
                            "scripts/canary.sh",
                            "queries",
                            phase,
                            "60",
                            "60",
                            candidateVersion),
                    Files.readString(out));
            for (String line : Files.readAllLines(out)) {
                String[] f = line.split("\t", 3);
                if (f.length == 3 && !f[1].equals("judged")) {
                    queries.put(phase + " " + f[0] + " " + f[1], f[2]);
                }
            }
        }
        assertTrue(queries.size() >= 8, "the gates' queries: " + queries.keySet());
        return queries;
    }

    /**
     * The gates' wiring on the running stack: with the candidate taking shadow copies, every gate's
     * query reads series the servers and the rules fill, through the role labels of the targets:
     * each gate has requests and a value; the candidate (the champion's own WAR) agrees on every
     * copy and predicts the champion's labels (up to the edges of the two windows).
     */
    private static void assertGatesReadTheServers(Map<String, String> queries) {
        Map<String, Double> values = PrometheusQueries.poll(
                Duration.ofSeconds(30),
                () -> {
                    Map<String, Double> read = new java.util.TreeMap<>();
                    queries.forEach((name, query) -> {
                        JsonNode result = PrometheusQueries.query(query);
                        read.put(
                                name,
                                result.isEmpty()
                                        ? Double.NaN
                                        : Double.parseDouble(result.get(0)
                                                .path("value")
                                                .get(1)
                                                .asText()));
                    });
                    return read;
                },
                read -> read.entrySet().stream()
                        .allMatch(e -> e.getKey().endsWith("requests")
                                ? e.getValue() > 0
                                : !e.getValue().isNaN()));
        System.out.println("Gate queries of delivery/canary.yaml on the running stack (last 60 s): " + values);
        values.forEach((name, value) -> assertTrue(
                name.endsWith("requests") ? value > 0 : !value.isNaN(),
                name + " reads nothing on the running stack: " + queries.get(name)));
        assertEquals(1.0, values.get("shadow agreement query"), 1e-9, "the candidate runs the champion's model");
        assertTrue(values.get("canary divergence_bits query") < 0.05, "and predicts the champion's labels: " + values);
        assertEquals(0.0, values.get("shadow error_ratio query"), 1e-9, "and fails nothing");
    }

    private static void delivery(String... args) throws Exception {
        String[] command = Stream.concat(Stream.of("bash", "scripts/delivery.sh"), Stream.of(args))
                .toArray(String[]::new);
        Path log = LOGS.resolve("delivery-" + args[0] + ".log");
        int exit = StackServers.runScript(
                log, Map.of(), Duration.ofSeconds(StackEnv.intSetting("READY_TIMEOUT") + 60), command);
        assertEquals(0, exit, String.join(" ", command) + ":\n" + Files.readString(log));
    }

    /** kill -SIGNAL PID; the last CONT, for safety, meets a process already killed: no exit code asked. */
    private static void signal(String signal, long pid) {
        Command.of("kill", "-" + signal, String.valueOf(pid)).run();
    }
}

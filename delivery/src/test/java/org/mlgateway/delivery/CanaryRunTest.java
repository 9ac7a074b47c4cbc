package org.mlgateway.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A make canary run against a Prometheus that answers what each test sets and scripts that record
 * what they are asked: every decision, what it does to the shares and what it leaves in the state.
 */
class CanaryRunTest {

    /** One gate per phase, checked every second: short phases, so a whole run takes seconds. */
    private static final String ANALYSIS = """
            args:
              candidate: role="candidate"
              candidate-version: ".+"
            checkSeconds: 1
            shadow: {mirrorPercent: 40, seconds: SHADOW}
            canary: {weights: [50, 100], stepSeconds: 2}
            kubernetes: {prometheusAddress: "http://prometheus:9090"}
            gates:
              - {name: agreement, phase: shadow, min: 0.75, minRequests: 10,
                 requests: "compared{v=~'{{args.candidate-version}}'}", query: "agreement[{{args.window}}]"}
              - {name: error_ratio, phase: canary, max: 0.01, minRequests: 10,
                 requests: "served[{{args.window}}]", query: "errors[{{args.window}}] / served[{{args.champion-window}}]"}
            """;

    @TempDir
    Path dir;

    private HttpServer prometheus;
    /** The value of each gate's query (by its first word) and of its requests; none: no data. */
    private final Map<String, String> answers = new ConcurrentHashMap<>();

    private final List<String> queries = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private CanaryRun.Stack stack;

    @BeforeEach
    void fakeStack() throws IOException {
        prometheus = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        prometheus.createContext("/api/v1/query", exchange -> {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String query = URLDecoder.decode(form.substring("query=".length()), StandardCharsets.UTF_8);
            queries.add(query);
            // A gate's judged query is its query "and on()" its requests: it has the value only with them.
            String key = query.contains(" and on() ")
                    ? query.substring(1, query.indexOf('['))
                    : query.replaceAll("[\\[{].*", "");
            String value = answers.get(key);
            String result = value == null ? "[]" : "[{\"metric\":{},\"value\":[1,\"" + value + "\"]}]";
            byte[] body = ("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":" + result + "}}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        prometheus.start();
        Path scripts = Files.createDirectories(dir.resolve("scripts"));
        // Each script appends its command line to calls; delivery.sh fails a command named in fail.
        script(
                scripts.resolve("delivery.sh"),
                "echo \"$*\" >>\"${0%/*}/calls\"; ! grep -qx \"$1\" \"${0%/*}/fail\" 2>/dev/null");
        script(scripts.resolve("rollout.sh"), "echo \"rollout $WAR\" >>\"${0%/*}/calls\"");
        stack = new CanaryRun.Stack(
                URI.create("http://127.0.0.1:" + prometheus.getAddress().getPort()),
                dir.resolve("state/canary"),
                dir.resolve("state/logs/canary.log"),
                dir.resolve("nginx/canary/metrics.prom"),
                scripts);
    }

    @AfterEach
    void stopPrometheus() {
        prometheus.stop(0);
    }

    private static void script(Path path, String body) throws IOException {
        Files.writeString(path, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
    }

    private CanaryRun run(int shadowSeconds) {
        AnalysisFile analysis = AnalysisFile.parse(ANALYSIS.replace("SHADOW", String.valueOf(shadowSeconds)));
        assertEquals(List.of(), analysis.problems());
        return new CanaryRun(analysis, Path.of("test.yaml"), stack, new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    private List<String> calls() throws IOException {
        return Files.readAllLines(dir.resolve("scripts/calls"));
    }

    private Map<String, String> state() throws IOException {
        CanaryState state = stack.state();
        return Map.of(
                "phase", state.get("phase"),
                "decision", state.get("decision"),
                "gate", state.get("gate"),
                "value", state.get("value"),
                "step", state.get("step"),
                "rollbacks", state.get("rollbacks"),
                "promotions", state.get("promotions"));
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aCandidateThatPassesEveryGateIsPromoted() throws Exception {
        answers.putAll(Map.of("agreement", "0.93", "compared", "40", "errors", "0", "served", "120"));
        assertEquals(0, run(10).run(Path.of("/wars/c.war"), "c0ffee", "0ld"), output());
        assertEquals(
                List.of(
                        "candidate-start /wars/c.war",
                        "traffic 40 0",
                        "traffic 0 50",
                        "traffic 0 100",
                        "traffic 0 0",
                        "rollout /wars/c.war",
                        "candidate-stop"),
                calls());
        // The shadow phase ends at its first check: every gate had its requests and passed.
        assertTrue(
                output().contains("==> Shadow passed after 1s: agreement 0.93 >= 0.75; requests: agreement 40\n"),
                output());
        assertTrue(
                output().contains(
                                "==> Canary 50 % passed after 2s: error_ratio 0 <= 0.01; requests: error_ratio 120\n"),
                output());
        assertTrue(
                output().endsWith(
                                "==> Promoted: every v1 server serves model c0ffee (was 0ld); api-candidate retired\n"),
                output());
        assertEquals("promoted", state().get("phase"));
        assertEquals("promote", state().get("decision"));
        assertEquals("1", state().get("promotions"));
        String metrics = Files.readString(stack.metrics());
        assertTrue(metrics.contains("canary_phase{phase=\"promoted\"} 1\n"), metrics);
        assertTrue(metrics.contains("canary_promotions_total 1\n"), metrics);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(stack.metrics())));
        // The run's parameters, filled into every query: the version, the window so far, and in the
        // canary steps the champion's window since the run began.
        assertTrue(queries.contains("compared{v=~'c0ffee'}"), queries.toString());
        assertTrue(
                queries.stream().anyMatch(q -> q.matches("\\(errors\\[2s] / served\\[[3-9]s]\\) and on\\(\\) .*")),
                queries.toString());
        assertTrue(Files.readString(stack.log())
                .lines()
                .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ .+")));
    }

    @Test
    void aFailingGateRollsTheCandidateBackAtOnce() throws Exception {
        answers.putAll(Map.of("agreement", "1", "compared", "40", "errors", "0.0123456", "served", "120"));
        assertEquals(3, run(10).run(Path.of("/wars/c.war"), "c0ffee", "0ld"), output());
        assertEquals(List.of("candidate-start /wars/c.war", "traffic 40 0", "traffic 0 50", "candidate-stop"), calls());
        assertTrue(
                output().contains(
                                "==> ROLLBACK in canary 50 %: gate error_ratio failed, value 0.01235, threshold <= 0.01\n"),
                output());
        assertEquals(
                Map.of(
                        "phase",
                        "rolled_back",
                        "decision",
                        "rollback",
                        "gate",
                        "error_ratio",
                        "value",
                        "0.01235",
                        "step",
                        "canary 50 %",
                        "rollbacks",
                        "1",
                        "promotions",
                        "0"),
                state());
    }

    @Test
    void aPhaseThatEndsWithoutAGatesRequestsRollsBack() throws Exception {
        answers.putAll(Map.of("compared", "3.4")); // too few: the gate has no value
        assertEquals(3, run(2).run(Path.of("/wars/c.war"), "c0ffee", "0ld"), output());
        assertTrue(
                output().contains("==> ROLLBACK in shadow: gate agreement_requests failed, value 3, threshold >= 10\n"),
                output());
        assertEquals(List.of("candidate-start /wars/c.war", "traffic 40 0", "candidate-stop"), calls());
    }

    @Test
    void aGateWithoutAValueWhenItsPhaseEndsRollsBackThoughItsRequestsCame() throws Exception {
        answers.putAll(Map.of("compared", "40")); // the requests are there, the value is not
        assertEquals(3, run(2).run(Path.of("/wars/c.war"), "c0ffee", "0ld"), output());
        assertTrue(
                output().contains("==> ROLLBACK in shadow: gate agreement failed, value n/a, threshold a value\n"),
                output());
        assertEquals("rolled_back", state().get("phase"));
    }

    @Test
    void aSignalSetsTheSharesTo0AndStopsTheCandidate() throws Exception {
        CanaryRun run = run(600); // no data: the shadow phase waits
        CompletableFuture<Integer> exit =
                CompletableFuture.supplyAsync(() -> call(() -> run.run(Path.of("/wars/c.war"), "c0ffee", "0ld")));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!"shadow".equals(state().get("phase")) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        run.interrupt(130);
        assertEquals(130, exit.get(30, TimeUnit.SECONDS));
        assertTrue(
                output().endsWith(
                                "==> Interrupted (exit 130) in phase shadow: shares back to 0, stopping api-candidate\n"),
                output());
        assertEquals(List.of("candidate-start /wars/c.war", "traffic 40 0", "candidate-stop"), calls());
        assertEquals(
                Map.of(
                        "phase",
                        "aborted",
                        "decision",
                        "abort",
                        "gate",
                        "interrupted",
                        "value",
                        "130",
                        "step",
                        "shadow",
                        "rollbacks",
                        "0",
                        "promotions",
                        "0"),
                state());
    }

    @Test
    void aScriptThatFailsEndsTheRunWithItsStatusAndSharesAt0() throws Exception {
        Files.writeString(dir.resolve("scripts/fail"), "candidate-start\ncandidate-stop\n");
        assertEquals(1, run(10).run(Path.of("/wars/c.war"), "c0ffee", "0ld"), output());
        assertTrue(output().contains("==> Interrupted (exit 1) in phase starting"), output());
        // candidate-stop failed as well: the shares are set to 0 on their own.
        assertEquals(List.of("candidate-start /wars/c.war", "candidate-stop", "traffic 0 0"), calls());
        assertEquals("aborted", state().get("phase"));
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T call(Call<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0} as %.4g: {1}")
    @CsvSource({
        "0.038127, 0.03813", "1, 1", "0.0079791, 0.007979", "12345, 1.234e+04", "0.00001, 1e-05",
        "0.00012344, 0.0001234", "0.99996, 1", "9999.5, 1e+04", "0, 0", "-0.5, -0.5"
    })
    void valuesAreShownAsCsPrintfShowsThem(double value, String shown) {
        assertEquals(shown, CanaryRun.significant(value));
    }

    @ParameterizedTest(name = "{0} as a count: {1}")
    @CsvSource({"239.99, 240", "0.5, 0", "1.5, 2", "1200, 1200", "NaN, NaN"})
    void countsAreWhole(double value, String shown) {
        assertEquals(shown, CanaryRun.whole(value));
    }

    @Test
    void prometheusValuesIncludeInfinitiesAndNoneIsNaN() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals(
                Double.POSITIVE_INFINITY,
                CanaryRun.value(json.readTree("{\"data\":{\"result\":[{\"value\":[1,\"+Inf\"]}]}}")));
        assertEquals(0.25, CanaryRun.value(json.readTree("{\"data\":{\"result\":[{\"value\":[1,\"0.25\"]}]}}")));
        assertTrue(Double.isNaN(CanaryRun.value(json.readTree("{\"data\":{\"result\":[]}}"))));
        assertTrue(Double.isNaN(CanaryRun.value(json.readTree("{\"status\":\"error\"}"))));
    }
}

package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * make canary backs out bad candidates by itself, under a steady 150 requests/s from two client
 * addresses: a model that answers "neutral" to everything fails the agreement gate in the shadow
 * phase, where clients never see it; a test-only build that fails every fourth client request fails
 * the 5xx gate at the first canary step, after only that step's share of clients met it. A run cut
 * short by Ctrl-C leaves no share on its candidate. Each time the shares end at 0, the candidate is
 * stopped and the champion serves as before.
 */
@Tag("disruptive")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CanaryRollbackIT {

    private static final Path WORK = StackEnv.projectRoot().resolve("e2e-tests/target/canary-rollback");
    private static final Pattern ROLLBACK =
            Pattern.compile("ROLLBACK in (.+?): gate (\\S+) failed, value (\\S+), threshold (\\S+) (\\S+)");
    private static Path championWar;
    private static Path neutral;
    private static String championVersion;

    @BeforeAll
    static void champion() throws Exception {
        StackServers.requireAllReady();
        Files.createDirectories(WORK);
        championWar = WORK.resolve("champion.war");
        Files.copy(
                StackServers.deployedWar(StackServers.v1().get(0), "v1"),
                championWar,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        championVersion = RetrainedWar.modelVersion(championWar);
        assertFalse(FaultInjectedWar.contains(championWar), "the shipped WAR holds no failure injection");
    }

    @AfterAll
    static void noCandidateLeft() throws Exception {
        if (!"STOPPED".equals(StackServers.supervisorState("api-candidate"))) {
            StackServers.runScript(
                    WORK.resolve("candidate-stop.log"),
                    Map.of(),
                    Duration.ofMinutes(2),
                    "scripts/delivery.sh",
                    "candidate-stop");
        }
    }

    /** The model that answers "neutral" to everything, built once. */
    private static Path neutralWar() throws Exception {
        if (neutral == null) {
            neutral = RetrainedWar.buildAllNeutral(championWar, WORK, 2_000);
        }
        return neutral;
    }

    @Test
    @Order(1)
    void aModelThatAnswersNeutralToEverythingIsRolledBackInTheShadowPhaseByTheAgreementGate() throws Exception {
        Path neutral = neutralWar();
        long rollbacksBefore = CanaryRuns.counter("rollbacks");
        Outcome outcome = canaryUnderLoad(neutral, "neutral");

        Matcher rollback = rollbackLine(outcome.run());
        assertEquals("shadow", rollback.group(1), "rolled back in the shadow phase");
        assertEquals("agreement", rollback.group(2), "by the agreement gate");
        assertEquals(">=", rollback.group(4));
        assertTrue(
                Double.parseDouble(rollback.group(3)) < Double.parseDouble(rollback.group(5)),
                "the agreement it logged is below the threshold it logged: " + rollback.group());
        assertFalse(
                Pattern.compile("==> Canary [0-9]+ %")
                        .matcher(outcome.run().output())
                        .find(),
                "no canary step was taken:\n" + outcome.run().output());
        SteadyLoad.Result load = outcome.load();
        assertEquals(
                Map.of(),
                load.countBy(o -> !o.succeeded(), SteadyLoad.Outcome::describe),
                "no client request failed: " + load.summary());
        assertEquals(
                Map.of(championVersion, (long) load.sent()),
                load.countBy(o -> true, SteadyLoad.Outcome::modelVersion),
                "every client was answered by the champion");
        assertRolledBack(rollbacksBefore, "agreement");
        // The alert fires for the rollback (increase of canary_rollbacks_total).
        JsonNode alert = PrometheusQueries.poll(
                Duration.ofSeconds(60),
                CanaryRollbackIT::canaryAlert,
                a -> "firing".equals(a.path("state").asText()));
        assertEquals("firing", alert.path("state").asText(), "CanaryRolledBack fires: " + alert);
    }

    /**
     * The same candidate, with only the agreement gate's threshold lowered to 0 in the analysis file:
     * it passes the shadow phase now, and the label divergence gate rolls it back at the first canary
     * step instead, with no client request failed.
     */
    @Test
    @Order(2)
    void loweringTheAgreementThresholdInTheFileChangesTheDecision() throws Exception {
        Path neutral = neutralWar();
        long rollbacksBefore = CanaryRuns.counter("rollbacks");
        Outcome outcome = canaryUnderLoad(
                neutral,
                "neutral-agreement-0",
                a -> DeliveryAnalysis.gate(a, "shadow", "agreement").put("min", 0));

        assertTrue(
                outcome.run().output().contains("==> Shadow passed"),
                "with min 0 the shadow phase passes:\n" + outcome.run().output());
        Matcher agreement = Pattern.compile("==> Shadow passed after \\d+s: agreement (\\S+) >= 0;")
                .matcher(outcome.run().output());
        assertTrue(
                agreement.find(),
                "the agreement gate was judged against 0:\n" + outcome.run().output());
        Number committed = (Number) DeliveryAnalysis.gate(DeliveryAnalysis.load(), "shadow", "agreement")
                .get("min");
        assertTrue(
                Double.parseDouble(agreement.group(1)) < committed.doubleValue(),
                "an agreement the committed threshold (" + committed + ") rolls back: " + agreement.group());
        Matcher rollback = rollbackLine(outcome.run());
        assertEquals(
                "canary " + CanaryRuns.STEPS.get(0) + " %", rollback.group(1), "rolled back at the first canary step");
        assertEquals("divergence_bits", rollback.group(2), "by the label divergence gate");
        SteadyLoad.Result load = outcome.load();
        assertEquals(
                Map.of(),
                load.countBy(o -> !o.succeeded(), SteadyLoad.Outcome::describe),
                "no client request failed: " + load.summary());
        assertRolledBack(rollbacksBefore, "divergence_bits");
    }

    @Test
    @Order(3)
    void aRunInterruptedLikeCtrlCLeavesNoShareOnItsCandidate() throws Exception {
        Path faulty = FaultInjectedWar.build(championWar, WORK.resolve("ml-api-v1-faulty.war"));
        Path log = WORK.resolve("canary-interrupted.log");
        Process run = CanaryRuns.startInOwnSession(
                faulty, log, a -> DeliveryAnalysis.section(a, "shadow").put("seconds", 600));
        try {
            // No load, and a shadow phase of 10 minutes: it still waits for mirrored requests, with 100 %
            // mirrored, when Ctrl-C comes.
            CanaryRuns.awaitPhase("shadow", Duration.ofMinutes(4));
            assertEquals(
                    "shadow 100 %, canary 0 %", CanaryRuns.shares(), "the shadow share is on before the interruption");
        } finally {
            // Ctrl-C, also when an assertion failed: the run must not be left holding a share.
            Command.Result kill =
                    Command.of("kill", "-INT", "--", "-" + run.pid()).run();
            boolean ended = run.waitFor(2, TimeUnit.MINUTES);
            if (!ended) {
                Command.of("kill", "-TERM", "--", "-" + run.pid()).run();
                run.waitFor(2, TimeUnit.MINUTES);
            }
            assertEquals(0, kill.exitCode(), "SIGINT sent to the run's process group: " + kill.output());
            assertTrue(ended, "the run ended after SIGINT");
        }
        String output = Files.readString(log);
        System.out.println("Interrupted make canary:\n"
                + output.lines().filter(l -> l.startsWith("==>")).toList());
        assertEquals(130, run.exitValue(), "exit code of a run stopped by SIGINT:\n" + output);
        assertTrue(output.contains("Interrupted (exit 130) in phase shadow: shares back to 0"), output);
        assertEquals("shadow 0 %, canary 0 %", CanaryRuns.shares(), "shares back to 0");
        assertEquals("STOPPED", StackServers.supervisorState("api-candidate"), "the candidate is stopped");
        assertEquals("aborted", CanaryRuns.state().get("phase"));
    }

    @Test
    @Order(4)
    void aCandidateThatFailsAShareOfRequestsIsRolledBackAtTheFirstCanaryStep() throws Exception {
        Path faulty = FaultInjectedWar.build(championWar, WORK.resolve("ml-api-v1-faulty.war"));
        assertTrue(FaultInjectedWar.contains(faulty));
        long rollbacksBefore = CanaryRuns.counter("rollbacks");
        Outcome outcome = canaryUnderLoad(faulty, "faulty");

        Matcher rollback = rollbackLine(outcome.run());
        assertEquals(
                "canary " + CanaryRuns.STEPS.get(0) + " %", rollback.group(1), "rolled back at the first canary step");
        assertEquals("error_ratio", rollback.group(2), "by the 5xx gate");
        assertTrue(
                Double.parseDouble(rollback.group(3)) > Double.parseDouble(rollback.group(5)),
                "the 5xx ratio it logged is above the threshold it logged: " + rollback.group());
        assertTrue(
                outcome.run().output().contains("==> Shadow passed"),
                "the fault passed the shadow phase (mirrored requests spared)");

        SteadyLoad.Result load = outcome.load();
        List<SteadyLoad.Outcome> failures = load.failures();
        // What the first step allows: its share of the requests sent while it is held, and one check more.
        long allowed = Math.round(CanaryRuns.STEPS.get(0)
                / 100.0
                * SteadyLoad.REQUESTS_PER_SECOND
                * (CanaryRuns.STEP_SECONDS + CanaryRuns.CHECK_SECONDS));
        System.out.printf(
                "Faulty candidate: %d client requests failed of %d sent (the first step allows %d); other than 500: %s%n",
                failures.size(),
                load.sent(),
                allowed,
                failures.stream()
                        .filter(o -> o.status() != 500)
                        .map(o -> String.format("%.2fs %s", o.startedNanos() / 1e9, o.describe()))
                        .toList());
        assertTrue(failures.size() > 0, "the injected failures reached clients at the first step: " + load.summary());
        assertTrue(
                failures.size() <= allowed,
                failures.size() + " failed requests, more than the first step allows (" + allowed + ")");
        assertEquals(
                Map.of("HTTP 500 from api-candidate", (long) failures.size()),
                load.countBy(o -> !o.succeeded(), o -> o.describe() + " from " + o.servedBy()),
                "every failure is the candidate's injected 500");
        assertRolledBack(rollbacksBefore, "error_ratio");
    }

    private record Outcome(Command.Result run, SteadyLoad.Result load) {}

    private static Outcome canaryUnderLoad(Path war, String name) throws Exception {
        return canaryUnderLoad(war, name, a -> {});
    }

    private static Outcome canaryUnderLoad(
            Path war, String name, java.util.function.Consumer<Map<String, Object>> change) throws Exception {
        CanaryRuns.LoadedRun loaded = CanaryRuns.runUnderLoad(war, WORK.resolve("canary-" + name + ".log"), change);
        Command.Result run = loaded.run();
        SteadyLoad.Result result = loaded.load();
        System.out.printf(
                "make canary of %s: exit %d; %s%n%s%n",
                war.getFileName(),
                run.exitCode(),
                result.summary(),
                run.output()
                        .lines()
                        .filter(l -> l.startsWith("==> Shadow")
                                || l.startsWith("==> Canary ")
                                || l.startsWith("==> ROLLBACK")
                                || l.startsWith("==> Rolled back"))
                        .toList());
        assertNull(result.unsteadiness(), "the load was sent steadily: " + result.summary());
        assertEquals(3, run.exitCode(), "make canary exits 3 after a rollback:\n" + run.output());
        return new Outcome(run, result);
    }

    private static Matcher rollbackLine(Command.Result run) {
        Matcher rollback = ROLLBACK.matcher(run.output());
        assertTrue(rollback.find(), "make canary names the failed gate, its value and threshold:\n" + run.output());
        return rollback;
    }

    private static void assertRolledBack(long rollbacksBefore, String gate) throws Exception {
        assertEquals("shadow 0 %, canary 0 %", CanaryRuns.shares(), "shares back to 0");
        assertEquals("STOPPED", StackServers.supervisorState("api-candidate"), "the candidate is stopped");
        Map<String, String> state = CanaryRuns.state();
        assertEquals("rolled_back", state.get("phase"), "make canary-status: " + state);
        assertEquals(gate, state.get("gate"), "make canary-status names the gate: " + state);
        assertEquals(rollbacksBefore + 1, CanaryRuns.counter("rollbacks"), "the rollback is counted");
        assertTrue(
                Files.readString(CanaryRuns.LOG).contains("gate " + gate + " failed"),
                "state/logs/canary.log records it");
        assertEquals(
                rollbacksBefore + 1.0,
                CanaryRuns.awaitMetric("canary_rollbacks_total{job=\"canary\"}", rollbacksBefore + 1.0),
                "Prometheus sees the rollback counted");
        // Prometheus drops the candidate's target before the server stops: a stopped candidate is never
        // a target down (up == 0) on the console or in an alert. The window holds this run's stop.
        assertEquals(
                1.0,
                PrometheusQueries.scalar("min_over_time(up{instance_name=\"api-candidate\"}[90s])"),
                "the candidate was scraped during the run and never found down");
        for (StackServers.Server server : StackServers.v1()) {
            assertEquals(
                    championVersion, StackServers.modelVersion(server), server.name() + " still serves the champion");
        }
    }

    private static JsonNode canaryAlert() {
        io.restassured.response.Response response = io.restassured.RestAssured.given()
                .baseUri(StackEnv.prometheusUrl())
                .get("/api/v1/alerts");
        try {
            for (JsonNode alert :
                    GatewayCalls.JSON.readTree(response.asString()).path("data").path("alerts")) {
                if ("CanaryRolledBack"
                        .equals(alert.path("labels").path("alertname").asText())) {
                    return alert;
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("no JSON from /api/v1/alerts: " + response.asString(), e);
        }
        return GatewayCalls.JSON.createObjectNode();
    }
}

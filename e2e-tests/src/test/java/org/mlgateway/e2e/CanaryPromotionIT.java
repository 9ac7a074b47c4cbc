package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A good candidate delivered end to end, under a steady 150 requests/s from two client addresses
 * without a failed request: `make canary` (scripts/canary.sh) starts a retrained model (another seed)
 * beside the champion, mirrors traffic to it, steps it through every canary weight and promotes it
 * with the zero-downtime rollout, which replaces the WAR of the v1 servers one at a time through
 * the stack's supervisord (each ends RUNNING in a new process); the new version shows in
 * X-Model-Version, the model card, the logs and the canary_* metrics, and the v2 server keeps its
 * own. Disruptive: runs after every other IT; afterwards make rollout takes the original WAR back
 * (rollBackIfNeeded).
 */
@Tag("disruptive")
class CanaryPromotionIT {

    private static final Path WORK = StackEnv.projectRoot().resolve("e2e-tests/target/canary-promotion");
    private static final Path ORIGINAL = WORK.resolve("original-ml-api-v1.war");

    private record Rollout(SteadyLoad.Result load, String output, long rolloutEndedNanos) {}

    @Test
    void aRetrainedModelGoesThroughShadowAndEveryCanaryStepAndIsPromotedThenRollsBackWithoutAFailedRequest()
            throws Exception {
        StackServers.requireAllReady();
        List<StackServers.Server> v1 = StackServers.v1();
        Files.createDirectories(WORK);
        Files.copy(StackServers.deployedWar(v1.get(0), "v1"), ORIGINAL, StandardCopyOption.REPLACE_EXISTING);
        String originalVersion = RetrainedWar.modelVersion(ORIGINAL);
        for (StackServers.Server server : v1) {
            assertEquals(
                    originalVersion,
                    StackServers.modelVersion(server),
                    server.name() + " runs the same model as the others before the rollout");
        }
        String v2Version = StackServers.modelVersion(StackServers.v2());

        Path retrained = RetrainedWar.build(ORIGINAL, WORK, 7);
        String newVersion = RetrainedWar.modelVersion(retrained);
        assertNotEquals(originalVersion, newVersion, "the retrained model is another model");
        assertEquals(newVersion, RetrainedWar.modelCardVersion(retrained), "the new WAR's model card names its model");

        Map<String, Long> pidsBefore = pids(v1);
        long promotionsBefore = CanaryRuns.counter("promotions");
        Rollout forward = canaryUnderLoad(retrained);
        assertNoFailedRequest(forward, originalVersion, newVersion);
        assertDecisionsInOrder(
                forward.output(),
                "Shadow passed after",
                "Canary 5 % passed",
                "Canary 25 % passed",
                "Canary 50 % passed",
                "Canary 100 % passed",
                "Promoting model " + newVersion,
                "Promoted: every v1 server serves model " + newVersion);
        assertTrue(
                forward.load().countBy(o -> true, SteadyLoad.Outcome::servedBy).containsKey("api-candidate"),
                "the candidate answered clients during the canary steps");
        assertEquals(
                "STOPPED", StackServers.supervisorState("api-candidate"), "the candidate is retired once promoted");
        assertEquals("shadow 0 %, canary 0 %", CanaryRuns.shares(), "no share left on the candidate");
        Map<String, String> state = CanaryRuns.state();
        assertEquals("promoted", state.get("phase"), "make canary-status: " + state);
        assertEquals(promotionsBefore + 1, CanaryRuns.counter("promotions"), "the promotion is counted");
        assertEquals(
                1.0,
                CanaryRuns.awaitMetric("canary_phase{job=\"canary\", phase=\"promoted\"}", 1.0),
                "Prometheus sees the promoted phase");
        assertEquals(
                promotionsBefore + 1.0,
                CanaryRuns.awaitMetric("canary_promotions_total{job=\"canary\"}", promotionsBefore + 1.0),
                "Prometheus sees the promotion counted");
        Map<String, Long> pidsAfter = pids(v1);
        for (StackServers.Server server : v1) {
            assertNotEquals(
                    pidsBefore.get(server.name()),
                    pidsAfter.get(server.name()),
                    server.name() + " was restarted by supervisord");
            assertEquals(
                    "RUNNING", StackServers.supervisorState(server.name()), server.name() + " state in supervisord");
        }
        for (StackServers.Server server : v1) {
            assertEquals(newVersion, StackServers.modelVersion(server), server.name() + " serves the new model");
            assertTrue(
                    StackServers.messagesLog(server).contains("Model " + newVersion + " loaded"),
                    server.name() + " logs that it loaded model " + newVersion);
        }
        assertEquals(v2Version, StackServers.modelVersion(StackServers.v2()), "the v2 server keeps its model");
        assertEquals(
                v2Version,
                GatewayCalls.predict("And the debug group?", "debug").header("X-Model-Version"),
                "the debug group still reaches the unchanged v2 server");
        assertTrue(
                forward.output().contains("Rolling out model " + newVersion),
                "the promotion's rollout names the version it deploys:\n" + forward.output());
        assertTrue(
                Files.readString(StackEnv.stateDir().resolve("logs/rollout.log"))
                        .contains("Rollout of model " + newVersion + " finished"),
                "state/logs/rollout.log records the rollout");
    }

    private static Map<String, Long> pids(List<StackServers.Server> servers) throws Exception {
        Map<String, Long> pids = new java.util.HashMap<>();
        for (StackServers.Server server : servers) {
            pids.put(server.name(), StackServers.process(server).pid());
        }
        return pids;
    }

    /**
     * Leaves the stack as it was, with make rollout and the original WAR, unless make test stops it
     * next anyway (e2e.stackStopsAfter, scripts/test.sh): its next start deploys the built WAR.
     */
    @AfterAll
    static void rollBackIfNeeded() throws Exception {
        if (!"STOPPED".equals(StackServers.supervisorState("api-candidate"))) {
            StackServers.runScript(
                    WORK.resolve("candidate-stop.log"),
                    Map.of(),
                    Duration.ofMinutes(2),
                    "scripts/delivery.sh",
                    "candidate-stop");
        }
        if (!Files.exists(ORIGINAL) || Boolean.getBoolean("e2e.stackStopsAfter")) {
            return;
        }
        String originalVersion = RetrainedWar.modelVersion(ORIGINAL);
        for (StackServers.Server server : StackServers.v1()) {
            if (!StackServers.ready(server) || !originalVersion.equals(StackServers.modelVersion(server))) {
                Path log = WORK.resolve("rollout-restore.log");
                int exit = StackServers.runScript(
                        log, Map.of("WAR", ORIGINAL.toString()), Duration.ofMinutes(15), "scripts/rollout.sh");
                assertEquals(
                        0,
                        exit,
                        "rolling the original WAR back (scripts/rollout.sh) failed; the stack may serve the"
                                + " retrained model:\n" + Files.readString(log));
                return;
            }
        }
    }

    /** make canary with the test settings, under load from its shadow phase on (CanaryRuns.runUnderLoad). */
    private static Rollout canaryUnderLoad(Path war) throws Exception {
        CanaryRuns.LoadedRun loaded = CanaryRuns.runUnderLoad(war, WORK.resolve("canary.log"));
        Command.Result run = loaded.run();
        SteadyLoad.Result result = loaded.load();
        System.out.printf(
                "make canary of %s: %.1f s, exit %d; %s%n%s%n",
                war.getFileName(),
                loaded.seconds(),
                run.exitCode(),
                result.summary(),
                run.output()
                        .lines()
                        .filter(line -> line.startsWith("==> Shadow passed")
                                || line.startsWith("==> Canary ")
                                || line.startsWith("==> Promot")
                                || line.contains(": back in the pool with model"))
                        .toList());
        assertEquals(0, run.exitCode(), "make canary promoted the candidate:\n" + run.output());
        // The rollout ended with the run: every answer after it is the new model's.
        return new Rollout(result, run.output(), loaded.runEndedNanos());
    }

    static void assertDecisionsInOrder(String output, String... lines) {
        int at = 0;
        for (String line : lines) {
            int found = output.indexOf(line, at);
            assertTrue(found >= 0, "make canary printed \"" + line + "\" after the decisions before it:\n" + output);
            at = found + line.length();
        }
    }

    private static void assertNoFailedRequest(Rollout rollout, String fromVersion, String toVersion) {
        SteadyLoad.Result result = rollout.load();
        assertNull(result.unsteadiness(), "the load was sent steadily during the rollout: " + result.summary());
        assertEquals(
                Map.of(),
                result.countBy(o -> !o.succeeded(), SteadyLoad.Outcome::describe),
                "no client request failed during the rollout: " + result.summary());
        Map<String, Long> versions = result.countBy(o -> true, SteadyLoad.Outcome::modelVersion);
        assertTrue(
                versions.containsKey(fromVersion) && versions.containsKey(toVersion),
                "clients were answered by both models while the rollout ran: " + versions);
        assertEquals(
                java.util.Set.of(toVersion),
                result.countBy(o -> o.startedNanos() > rollout.rolloutEndedNanos(), SteadyLoad.Outcome::modelVersion)
                        .keySet(),
                "after the rollout every answer comes from the new model");
    }
}

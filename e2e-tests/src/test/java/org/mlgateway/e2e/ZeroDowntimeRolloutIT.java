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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Zero-downtime rollout: `scripts/rollout.sh` (make rollout) replaces the WAR of the v1 servers one
 * at a time with a retrained model under a steady 150 requests/s from two client addresses, without
 * a failed request, stopping and starting each through the stack's supervisord (each ends RUNNING
 * in a new process); the new version shows in X-Model-Version, the model card and the logs, and the
 * v2 server keeps its own. Then the original WAR is rolled back the same way, leaving the stack as
 * it was. Disruptive: runs after every other IT.
 */
@Tag("disruptive")
class ZeroDowntimeRolloutIT {

    private static final Path WORK = StackEnv.projectRoot().resolve("e2e-tests/target/rollout");
    private static final Path ORIGINAL = WORK.resolve("original-ml-api-v1.war");
    private static final Duration STEADY_BEFORE_AND_AFTER = Duration.ofSeconds(3);

    private record Rollout(SteadyLoad.Result load, String output, long rolloutEndedNanos) {
    }

    @Test
    void aRetrainedModelRollsOutAndBackUnderLoadWithoutAFailedRequest() throws Exception {
        StackServers.requireAllReady();
        List<StackServers.Server> v1 = StackServers.v1();
        Files.createDirectories(WORK);
        Files.copy(StackServers.deployedWar(v1.get(0), "v1"), ORIGINAL, StandardCopyOption.REPLACE_EXISTING);
        String originalVersion = RetrainedWar.modelVersion(ORIGINAL);
        for (StackServers.Server server : v1) {
            assertEquals(originalVersion, StackServers.modelVersion(server), server.name() + " runs the same model as the others before the rollout");
        }
        String v2Version = StackServers.modelVersion(StackServers.v2());

        Path retrained = RetrainedWar.build(ORIGINAL, WORK, 7);
        String newVersion = RetrainedWar.modelVersion(retrained);
        assertNotEquals(originalVersion, newVersion, "the retrained model is another model");
        assertEquals(newVersion, RetrainedWar.modelCardVersion(retrained), "the new WAR's model card names its model");

        Map<String, Long> pidsBefore = pids(v1);
        Rollout forward = rolloutUnderLoad(retrained, "forward");
        assertNoFailedRequest(forward, originalVersion, newVersion);
        Map<String, Long> pidsAfter = pids(v1);
        for (StackServers.Server server : v1) {
            assertNotEquals(pidsBefore.get(server.name()), pidsAfter.get(server.name()), server.name() + " was restarted by supervisord");
            assertEquals("RUNNING", StackServers.supervisorState(server.name()), server.name() + " state in supervisord");
        }
        for (StackServers.Server server : v1) {
            assertEquals(newVersion, StackServers.modelVersion(server), server.name() + " serves the new model");
            assertTrue(StackServers.messagesLog(server).contains("Model " + newVersion + " loaded"),
                    server.name() + " logs that it loaded model " + newVersion);
        }
        assertEquals(v2Version, StackServers.modelVersion(StackServers.v2()), "the v2 server keeps its model");
        assertEquals(v2Version, GatewayCalls.predict("And the debug group?", "debug").header("X-Model-Version"),
                "the debug group still reaches the unchanged v2 server");
        assertTrue(forward.output().contains("Rolling out model " + newVersion), "the rollout names the version it deploys:\n" + forward.output());
        assertTrue(Files.readString(StackEnv.stateDir().resolve("logs/rollout.log")).contains("Rollout of model " + newVersion + " finished"),
                "state/logs/rollout.log records the rollout");

        Rollout back = rolloutUnderLoad(ORIGINAL, "back");
        assertNoFailedRequest(back, newVersion, originalVersion);
        for (StackServers.Server server : v1) {
            assertEquals(originalVersion, StackServers.modelVersion(server), server.name() + " serves the original model again");
        }
    }

    private static Map<String, Long> pids(List<StackServers.Server> servers) throws Exception {
        Map<String, Long> pids = new java.util.HashMap<>();
        for (StackServers.Server server : servers) {
            pids.put(server.name(), StackServers.process(server).pid());
        }
        return pids;
    }

    /** Leaves the stack as it was even when an assertion stopped the test half-way. */
    @AfterAll
    static void rollBackIfNeeded() throws Exception {
        if (!Files.exists(ORIGINAL)) {
            return;
        }
        String originalVersion = RetrainedWar.modelVersion(ORIGINAL);
        for (StackServers.Server server : StackServers.v1()) {
            if (!StackServers.ready(server) || !originalVersion.equals(StackServers.modelVersion(server))) {
                Path log = WORK.resolve("rollout-restore.log");
                int exit = StackServers.runScript(log, Map.of("WAR", ORIGINAL.toString()), Duration.ofMinutes(15), "scripts/rollout.sh");
                assertEquals(0, exit, "rolling the original WAR back (scripts/rollout.sh) failed; the stack may serve the"
                        + " retrained model:\n" + Files.readString(log));
                return;
            }
        }
    }

    private static Rollout rolloutUnderLoad(Path war, String name) throws Exception {
        Path log = WORK.resolve("rollout-" + name + ".log");
        SteadyLoad load = SteadyLoad.start();
        TimeUnit.NANOSECONDS.sleep(STEADY_BEFORE_AND_AFTER.toNanos());
        long began = System.nanoTime();
        int exit = StackServers.runScript(log, Map.of("WAR", war.toString()), Duration.ofMinutes(15), "scripts/rollout.sh");
        long ended = load.elapsedNanos();
        double seconds = (System.nanoTime() - began) / 1e9;
        TimeUnit.NANOSECONDS.sleep(STEADY_BEFORE_AND_AFTER.toNanos());
        SteadyLoad.Result result = load.stop();
        String output = Files.readString(log);
        System.out.printf("Rollout %s of %s: %.1f s; %s%n%s%n", name, war.getFileName(), seconds, result.summary(),
                output.lines().filter(line -> line.contains(": back in the pool with model")).toList());
        assertEquals(0, exit, "scripts/rollout.sh succeeded:\n" + output);
        return new Rollout(result, output, ended);
    }

    private static void assertNoFailedRequest(Rollout rollout, String fromVersion, String toVersion) {
        SteadyLoad.Result result = rollout.load();
        assertNull(result.unsteadiness(), "the load was sent steadily during the rollout: " + result.summary());
        assertEquals(Map.of(), result.countBy(o -> !o.succeeded(), SteadyLoad.Outcome::describe),
                "no client request failed during the rollout: " + result.summary());
        Map<String, Long> versions = result.countBy(o -> true, SteadyLoad.Outcome::modelVersion);
        assertTrue(versions.containsKey(fromVersion) && versions.containsKey(toVersion),
                "clients were answered by both models while the rollout ran: " + versions);
        assertEquals(java.util.Set.of(toVersion),
                result.countBy(o -> o.startedNanos() > rollout.rolloutEndedNanos(), SteadyLoad.Outcome::modelVersion).keySet(),
                "after the rollout every answer comes from the new model");
    }
}

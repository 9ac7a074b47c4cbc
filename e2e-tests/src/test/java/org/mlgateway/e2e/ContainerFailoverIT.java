package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Failover in containers: the main process of one v1 container (the JVM) killed with SIGKILL from
 * the host under a steady 150 requests/s from two loopback addresses costs the clients nothing
 * (nginx retries on the other replicas); Docker's restart policy starts the container again, it
 * turns healthy, and it answers requests through the gateway again, as its own prediction counter
 * shows. Killed from the host, not with `docker kill`, which some engines count as a manual stop
 * that the restart policy then respects. Disruptive: runs after every other container test.
 */
@Tag("disruptive")
class ContainerFailoverIT {

    private static final Duration LOAD = Duration.ofSeconds(20);
    private static final Duration KILL_AFTER = Duration.ofSeconds(6);

    @Test
    void aKilledReplicaCostsNoRequestAndComesBackByItsRestartPolicy() throws Exception {
        List<String> replicas = Containers.of("api-v1");
        replicas.forEach(c -> assertEquals("healthy", Containers.health(c), Containers.name(c) + " before the test"));
        String victim = replicas.get(1);
        String name = Containers.name(victim);
        long restartsBefore = Containers.inspect(victim).path("RestartCount").asLong();
        ProcessHandle process = ProcessHandle.of(Containers.hostPid(victim)).orElseThrow();
        assertTrue(
                process.info().command().orElse("").endsWith("java"),
                name + "'s main process is the JVM: " + process.info());

        SteadyLoad load = SteadyLoad.start();
        TimeUnit.NANOSECONDS.sleep(KILL_AFTER.toNanos());
        long killedAtNanoTime = System.nanoTime();
        assertTrue(process.destroyForcibly(), "SIGKILL sent to " + name + " (pid " + process.pid() + ")");
        process.onExit().get(10, TimeUnit.SECONDS);
        TimeUnit.NANOSECONDS.sleep(LOAD.toNanos() - load.elapsedNanos());
        SteadyLoad.Result result = load.stop();
        System.out.printf(
                "Container failover, %s's JVM killed (SIGKILL) after %.1f s: %s%n",
                name, KILL_AFTER.toNanos() / 1e9, result.summary());

        // Judged after the container is back, so whatever fails the stop after this test finds a whole stack.
        Runnable loadChecks = () -> assertAll(
                () -> assertNull(result.unsteadiness(), "the load was sent steadily: " + result.summary()),
                () -> assertEquals(
                        Map.of(),
                        result.countBy(o -> !o.succeeded(), SteadyLoad.Outcome::describe),
                        "no client request failed: " + result.summary()));

        long deadline = System.nanoTime()
                + Duration.ofSeconds(2L * StackEnv.intSetting("READY_TIMEOUT")).toNanos();
        while (!"healthy".equals(Containers.health(victim))
                || Containers.inspect(victim).path("RestartCount").asLong() <= restartsBefore) {
            assertTrue(
                    System.nanoTime() < deadline,
                    name + " is restarted by its policy and healthy again: "
                            + Containers.inspect(victim).path("State"));
            TimeUnit.SECONDS.sleep(1);
        }
        double secondsToHealthy = (System.nanoTime() - killedAtNanoTime) / 1e9;
        assertEquals(
                restartsBefore + 1,
                Containers.inspect(victim).path("RestartCount").asLong(),
                name + " restarted once");
        double secondsToTraffic = awaitAnswersFrom(victim) / 1e9;
        System.out.printf(
                "Self-healing in containers: %s restarted by Docker (restart count %d), healthy %.1f s after the kill,"
                        + " answering through the gateway %.1f s after that%n",
                name, restartsBefore + 1, secondsToHealthy, secondsToTraffic);
        loadChecks.run();
    }

    /** Sends requests through the gateway (under the rate limit) until the container's own counter moves. */
    private static long awaitAnswersFrom(String container) {
        long begin = System.nanoTime();
        long deadline = begin + Duration.ofSeconds(60).toNanos();
        double counted = ContainerRoutingIT.predictionsCounted(container);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < 6; i++) {
                GatewayCalls.predict("Are you back?", null);
                GatewayCalls.paceBelowRateLimit();
            }
            if (ContainerRoutingIT.predictionsCounted(container) > counted) {
                return System.nanoTime() - begin;
            }
        }
        return fail(Containers.name(container)
                + " answered no request through the gateway within 60 s of being healthy again");
    }
}

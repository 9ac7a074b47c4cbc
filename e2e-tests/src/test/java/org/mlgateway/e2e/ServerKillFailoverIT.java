package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Failover and self-healing: a v1 server killed with SIGKILL under a steady 150 requests/s from two
 * client addresses costs the clients nothing (nginx retries on another server); the stack's
 * supervisord starts it again by itself, no command run, and nginx sends it traffic again once it
 * is ready (passive health checks: max_fails/fail_timeout). Disruptive: runs after every other IT.
 */
@Tag("disruptive")
class ServerKillFailoverIT {

    private static final Duration LOAD = Duration.ofSeconds(20);
    private static final Duration KILL_AFTER = Duration.ofSeconds(6);
    private static final Duration RESTARTED_WITHIN = Duration.ofSeconds(30);
    private static final Duration TRAFFIC_BACK_WITHIN = Duration.ofSeconds(30);

    @Test
    void aKilledServerCostsNoRequestAndComesBackByItself() throws Exception {
        StackServers.requireAllReady();
        // Not api-v1-1, which also hosts the admin console; any v1 server would do.
        StackServers.Server victim = StackServers.v1().get(StackServers.v1().size() > 1 ? 1 : 0);
        ProcessHandle process = StackServers.process(victim);

        SteadyLoad load = SteadyLoad.start();
        TimeUnit.NANOSECONDS.sleep(KILL_AFTER.toNanos());
        long killedAt = load.elapsedNanos();
        long killedAtNanoTime = System.nanoTime();
        assertTrue(process.destroyForcibly(), "SIGKILL sent to " + victim.name());
        process.onExit().get(10, TimeUnit.SECONDS);
        TimeUnit.NANOSECONDS.sleep(LOAD.toNanos() - load.elapsedNanos());
        SteadyLoad.Result result = load.stop();
        System.out.printf(
                "Failover, %s killed (SIGKILL) after %.1f s: %s%n", victim.name(), killedAt / 1e9, result.summary());

        // Judged after the server is back, so the tests after this one find the whole stack either way.
        Runnable loadChecks = () -> assertAll(
                () -> assertNull(result.unsteadiness(), "the load was sent steadily: " + result.summary()),
                () -> assertEquals(
                        Map.of(),
                        result.countBy(o -> !o.succeeded(), SteadyLoad.Outcome::describe),
                        "no client request failed: " + result.summary()),
                () -> assertTrue(
                        result.outcomes().stream()
                                .anyMatch(o -> o.startedNanos() < killedAt
                                        && victim.name().equals(o.servedBy())),
                        victim.name() + " served traffic before it was killed: " + result.summary()));

        // supervisord noticed the exit and runs a new JVM; nobody ran a command.
        ProcessHandle restarted = awaitNewProcess(victim, process.pid());
        assertNotEquals(process.pid(), restarted.pid(), victim.name() + " runs in a new process");
        long readyDeadline = System.nanoTime()
                + Duration.ofSeconds(StackEnv.intSetting("READY_TIMEOUT")).toNanos();
        while (!StackServers.ready(victim)) {
            assertTrue(
                    System.nanoTime() < readyDeadline,
                    victim.name() + " is ready again within READY_TIMEOUT ("
                            + StackServers.supervisorState(victim.name()) + ")");
            TimeUnit.MILLISECONDS.sleep(500);
        }
        double secondsToReady = (System.nanoTime() - killedAtNanoTime) / 1e9;
        double secondsToTraffic = awaitTrafficTo(victim.name()) / 1e9;
        assertEquals("RUNNING", StackServers.supervisorState(victim.name()), victim.name() + " state in supervisord");
        System.out.printf(
                "Self-healing: %s restarted by supervisord (pid %d -> %d), ready %.1f s after the kill,"
                        + " gets traffic %.1f s after that%n",
                victim.name(), process.pid(), restarted.pid(), secondsToReady, secondsToTraffic);
        loadChecks.run();
    }

    /** The program's process once supervisord has started a new one. */
    private static ProcessHandle awaitNewProcess(StackServers.Server server, long oldPid) throws Exception {
        long deadline = System.nanoTime() + RESTARTED_WITHIN.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                ProcessHandle current = StackServers.process(server);
                if (current.pid() != oldPid) {
                    return current;
                }
            } catch (IllegalStateException notRunning) {
                last = notRunning.getMessage();
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        return fail("supervisord did not start " + server.name() + " again within " + RESTARTED_WITHIN.toSeconds()
                + " s: " + last);
    }

    /** Polls the gateway (well under the rate limit) until the server answers; returns how long that took. */
    private static long awaitTrafficTo(String name) throws Exception {
        HttpClient client = GatewayCalls.httpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(StackEnv.gatewayUrl() + "/predict"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", GatewayCalls.basicAuthorization())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sentence\": \"are you back?\"}"))
                .build();
        long begin = System.nanoTime();
        long deadline = begin + TRAFFIC_BACK_WITHIN.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            // Which server answered: the gateway's access log says (clients are not told).
            GatewayFiles.LogPosition before = GatewayFiles.accessLogPosition();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            String server = response.statusCode() == 200
                    ? GatewayFiles.serverOf(
                            response.headers().firstValue("X-Request-ID").orElse(null), before)
                    : null;
            last = response.statusCode() + " from " + (server == null ? "nginx" : server);
            if (name.equals(server)) {
                return System.nanoTime() - begin;
            }
            GatewayCalls.paceBelowRateLimit();
        }
        return fail(name + " got no traffic within " + TRAFFIC_BACK_WITHIN.toSeconds()
                + " s of being ready again; last answer " + last);
    }
}

package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A slow server costs only its own requests: api-v1-2's JVM is stopped (SIGSTOP) for 15 s under the
 * steady 150 requests/s, then resumed (SIGCONT). The requests that were in flight on it time out
 * (504 after proxy_read_timeout) and are not retried elsewhere; the other servers stay in rotation and
 * serve everything else; and, once the resumed server has worked off its queue, the servers' counters
 * (predictions_total) add up to no more than the requests the clients sent: nothing was computed twice.
 * Disruptive: runs after every other IT; the server is always resumed and ready before the test ends.
 */
@Tag("disruptive")
class SlowServerIT {

    private static final Duration STOP_AFTER = Duration.ofSeconds(5);
    private static final Duration STOPPED_FOR = Duration.ofSeconds(15);
    private static final Duration LOAD = Duration.ofSeconds(30);

    @Test
    void aStoppedServerCostsOnlyItsInFlightRequestsAndNothingIsCountedTwice() throws Exception {
        // A disruptive test before this one may have left a server restarting: wait for it (bounded).
        List<StackServers.Server> v1 = StackServers.v1();
        for (StackServers.Server server : v1) {
            awaitReady(server);
        }
        StackServers.requireAllReady();
        StackServers.Server victim = v1.get(v1.size() > 1 ? 1 : 0);
        ProcessHandle jvm = StackServers.process(victim);
        Duration readTimeout = GatewayFiles.duration("snippets/proxy.conf", "proxy_read_timeout");
        double countedBefore = predictionsCounted();
        GatewayFiles.LogPosition logStart = GatewayFiles.accessLogPosition();

        SteadyLoad load = SteadyLoad.start();
        long stoppedAt;
        long resumedAt;
        SteadyLoad.Result result;
        try {
            TimeUnit.NANOSECONDS.sleep(STOP_AFTER.toNanos());
            stoppedAt = load.elapsedNanos();
            signal("STOP", jvm.pid());
            try {
                TimeUnit.NANOSECONDS.sleep(STOPPED_FOR.toNanos());
            } finally {
                signal("CONT", jvm.pid());
            }
            resumedAt = load.elapsedNanos();
            TimeUnit.NANOSECONDS.sleep(Math.max(0, LOAD.toNanos() - load.elapsedNanos()));
        } finally {
            signal("CONT", jvm.pid());
            result = load.stop();
        }
        awaitReady(victim);
        double counted = awaitSettledCount(countedBefore, result.sent()) - countedBefore;

        List<SteadyLoad.Outcome> failures = result.failures();
        long timedOut = failures.stream()
                .filter(o ->
                        o.status() == 504 || (o.error() != null && o.error().contains("timed out")))
                .count();
        long succeeded = result.sent() - failures.size();
        System.out.printf(
                "Slow server: %s stopped (SIGSTOP) %.1f-%.1f s, proxy_read_timeout %d s: sent %d, succeeded %d,"
                        + " failed %d (timed out %d), counted by the servers %.0f (%s sent)%n  %s%n",
                victim.name(),
                stoppedAt / 1e9,
                resumedAt / 1e9,
                readTimeout.toSeconds(),
                result.sent(),
                succeeded,
                failures.size(),
                timedOut,
                counted,
                counted == result.sent() ? "=" : counted < result.sent() ? "<" : ">",
                result.summary());

        assertTrue(
                result.sent() >= LOAD.toSeconds() * SteadyLoad.REQUESTS_PER_SECOND / 2,
                "the load was sent: " + result.summary());

        // Only the requests in flight on the stopped server fail: those routed to it (a 1/N share of
        // the load) from the stop until its first read timeouts take it out of rotation, plus a probe
        // per fail_timeout; each as a gateway timeout, never as something else.
        double share = (double) SteadyLoad.REQUESTS_PER_SECOND / v1.size();
        long bound = Math.round(share * (readTimeout.toSeconds() + 2)) + 5;
        assertEquals(
                failures.size(),
                timedOut,
                "every failure is a timeout of a request in flight on " + victim.name() + ": " + result.summary());
        assertTrue(
                failures.size() <= bound,
                failures.size() + " failures, more than the " + bound + " that can have been in flight on "
                        + victim.name() + ": " + result.summary());
        for (SteadyLoad.Outcome failure : failures) {
            assertTrue(
                    failure.startedNanos() >= stoppedAt - 1_000_000_000L && failure.startedNanos() <= resumedAt,
                    "a failure outside the stop: " + failure + "; " + result.summary());
        }

        // The gateway's log agrees: every failed request went to the stopped server alone (no retry of
        // a timeout on another server), and the others answered everything else.
        List<JsonNode> log = GatewayFiles.accessLogSince(logStart).stream()
                .filter(e -> e.path("request").asText().startsWith("POST /predict"))
                .toList();
        String victimAddress = "127.0.0.1:" + victim.port();
        List<String> misrouted = new ArrayList<>();
        for (JsonNode entry : log) {
            if (entry.path("status").asInt() != 200
                    && !entry.path("upstream_addr").asText().equals(victimAddress)) {
                misrouted.add(entry.toString());
            }
        }
        assertEquals(List.of(), misrouted, "failed requests that were not simply in flight on " + victimAddress);

        // The other servers stayed in rotation throughout the stop.
        Map<String, Long> servedDuringStop = new TreeMap<>();
        for (SteadyLoad.Outcome o : result.outcomes()) {
            if (o.succeeded() && o.startedNanos() >= stoppedAt && o.startedNanos() < resumedAt) {
                servedDuringStop.merge(o.servedBy(), 1L, Long::sum);
            }
        }
        long duringStop =
                servedDuringStop.values().stream().mapToLong(Long::longValue).sum();
        for (StackServers.Server other : v1) {
            if (!other.equals(victim)) {
                long served = servedDuringStop.getOrDefault(other.name(), 0L);
                assertTrue(
                        served >= duringStop / (v1.size() + 1),
                        other.name() + " stayed in rotation while " + victim.name() + " was stopped: served "
                                + servedDuringStop);
            }
        }

        // Nothing counted twice: the servers computed at most one prediction per request sent, and
        // at least one per request answered.
        assertTrue(counted <= result.sent(), "predictions counted " + counted + " > requests sent " + result.sent());
        assertTrue(counted >= succeeded, "predictions counted " + counted + " < requests answered " + succeeded);
    }

    private static void signal(String signal, long pid) {
        Command.of("kill", "-" + signal, String.valueOf(pid)).succeeds();
    }

    private static void awaitReady(StackServers.Server server) throws InterruptedException {
        long deadline = System.nanoTime()
                + Duration.ofSeconds(StackEnv.intSetting("READY_TIMEOUT")).toNanos();
        while (!StackServers.ready(server)) {
            assertTrue(System.nanoTime() < deadline, server.name() + " is ready within READY_TIMEOUT");
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    /** The sum once the resumed server has worked off its queue: unchanged for 3 s, or equal to what was sent (60 s at most). */
    private static double awaitSettledCount(double before, int sent) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        double last = predictionsCounted();
        int stable = 0;
        while (System.nanoTime() < deadline && stable < 3 && last - before < sent) {
            TimeUnit.SECONDS.sleep(1);
            double now = predictionsCounted();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
        return last;
    }

    /** predictions_total summed over every API server, straight from their /metrics (as MonitoringIT reads it). */
    static double predictionsCounted() throws Exception {
        return StackServers.predictionsByServer().values().stream()
                .mapToDouble(Double::doubleValue)
                .sum();
    }
}

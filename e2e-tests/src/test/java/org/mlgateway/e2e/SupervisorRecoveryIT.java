package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The stack's supervisord restarts what dies, and gives up on what cannot start: Nginx and
 * Prometheus killed with SIGKILL come back by themselves; a server whose JVM cannot start ends up
 * FATAL after a bounded number of tries, which `make status` and Prometheus (up == 0, the
 * LibertyServerDown alert) both show, until `make start-project` lays it out again. Disruptive: runs
 * after every other IT.
 */
@Tag("disruptive")
class SupervisorRecoveryIT {

    private static final Duration BACK_WITHIN = Duration.ofSeconds(60);
    /** startretries × (startsecs + backoff), with room for a slow machine. */
    private static final Duration FATAL_WITHIN = Duration.ofSeconds(120);
    /** The alert's `for: 30s`, plus scrape and evaluation intervals, with room. */
    private static final Duration ALERT_WITHIN = Duration.ofSeconds(120);

    @Test
    void killedNginxIsRestartedAndAnswersAgain() throws Exception {
        StackServers.requireAllReady();
        long seconds = killAndAwaitRestart("nginx", SupervisorRecoveryIT::gatewayAnswers);
        System.out.printf(
                "Self-healing: nginx killed (SIGKILL), answering again through TLS after %.1f s%n", seconds / 1e9);
    }

    @Test
    void killedPrometheusIsRestartedAndReadyAgain() throws Exception {
        StackServers.requireAllReady();
        long seconds = killAndAwaitRestart("prometheus", SupervisorRecoveryIT::prometheusReady);
        System.out.printf("Self-healing: Prometheus killed (SIGKILL), ready again after %.1f s%n", seconds / 1e9);
    }

    @Test
    void aServerThatCannotStartEndsFatalVisibleAndAlerted() throws Exception {
        StackServers.requireAllReady();
        StackServers.Server victim = StackServers.v1().get(StackServers.v1().size() - 1);
        // Its JVM refuses an unknown option and exits at once: a crash at every start.
        Path jvmOptions = StackEnv.stateDir().resolve("liberty/usr/servers/" + victim.name() + "/jvm.options");
        assertTrue(Files.isRegularFile(jvmOptions), "the server's jvm.options exists: " + jvmOptions);
        Files.writeString(jvmOptions, "\n-XX:+NoSuchOptionCrashesTheJvm\n", StandardOpenOption.APPEND);
        try {
            StackServers.supervisorctl("restart", victim.name());
            String state = PrometheusQueries.poll(FATAL_WITHIN, () -> state(victim.name()), "FATAL"::equals);
            assertEquals(
                    "FATAL", state, victim.name() + " ends FATAL after its bounded restarts, not restarted forever");
            // Still FATAL a little later: supervisord gave up on it.
            TimeUnit.SECONDS.sleep(5);
            assertEquals("FATAL", state(victim.name()), victim.name() + " stays FATAL");

            Path statusLog = StackEnv.projectRoot().resolve("e2e-tests/target/supervisor/status.log");
            int statusExit =
                    StackServers.runScript(statusLog, Map.of(), Duration.ofMinutes(1), "scripts/stack.sh", "status");
            String status = Files.readString(statusLog);
            assertEquals(3, statusExit, "make status reports a program that is not running: " + status);
            assertTrue(
                    status.lines()
                            .anyMatch(line -> line.trim().startsWith(victim.name() + " ") && line.contains("FATAL")),
                    "make status shows " + victim.name() + " FATAL:\n" + status);

            String up = "up{job=\"liberty\",instance_name=\"" + victim.name() + "\"}";
            double upValue =
                    PrometheusQueries.poll(Duration.ofSeconds(30), () -> PrometheusQueries.scalar(up), v -> v == 0);
            assertEquals(0, upValue, up + " in Prometheus");
            String firing = "ALERTS{alertname=\"LibertyServerDown\",alertstate=\"firing\",instance_name=\""
                    + victim.name() + "\"}";
            double alert = PrometheusQueries.poll(ALERT_WITHIN, () -> PrometheusQueries.scalar(firing), v -> v == 1);
            assertEquals(1, alert, "LibertyServerDown fires for " + victim.name());
            System.out.printf(
                    "Crash loop: %s FATAL in supervisord, shown by make status, up == 0 and LibertyServerDown firing%n",
                    victim.name());
        } finally {
            // make start-project lays the server out afresh (its jvm.options from the sources) and starts it.
            Path log = StackEnv.projectRoot().resolve("e2e-tests/target/supervisor/start-project.log");
            assertEquals(
                    0,
                    StackServers.runScript(log, Map.of(), Duration.ofMinutes(10), "scripts/stack.sh", "start"),
                    "make start-project brings the stack back; see " + log);
        }
        assertTrue(StackServers.ready(victim), victim.name() + " is ready again after make start-project");
        assertEquals("RUNNING", state(victim.name()));
    }

    /** Kills the program with SIGKILL; returns the nanoseconds until supervisord ran a new one that passes the check. */
    private static long killAndAwaitRestart(String program, BooleanSupplier answers) throws Exception {
        ProcessHandle before = StackServers.process(program);
        long killed = System.nanoTime();
        assertTrue(before.destroyForcibly(), "SIGKILL sent to " + program);
        before.onExit().get(10, TimeUnit.SECONDS);
        long deadline = killed + BACK_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if ("RUNNING".equals(state(program)) && answers.getAsBoolean()) {
                ProcessHandle after = StackServers.process(program);
                assertNotEquals(before.pid(), after.pid(), program + " runs in a new process");
                return System.nanoTime() - killed;
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        throw new AssertionError(program + " was not restarted and answering within " + BACK_WITHIN.toSeconds()
                + " s; supervisord says " + state(program));
    }

    private static String state(String program) {
        try {
            return StackServers.supervisorState(program);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean gatewayAnswers() {
        return answers(GatewayCalls.httpClient(), StackEnv.gatewayUrl() + "/gateway-health");
    }

    private static boolean prometheusReady() {
        return answers(HttpClient.newHttpClient(), StackEnv.prometheusUrl() + "/-/ready");
    }

    private static boolean answers(HttpClient client, String url) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(3))
                    .build();
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

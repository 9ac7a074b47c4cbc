package org.mlgateway.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** make canary (scripts/canary.sh) as the tests run it, and where its runs stand. */
final class CanaryRuns {

    static final Path STATE = StackEnv.stateDir().resolve("canary/state");
    static final Path LOG = StackEnv.stateDir().resolve("logs/canary.log");
    static final Path DELIVERY = StackEnv.stateDir().resolve("nginx/upstreams/delivery.conf");
    static final int STEP_SECONDS = 15;
    static final int CHECK_SECONDS = 5;
    static final List<Integer> STEPS = List.of(5, 25, 50, 100);

    /**
     * The analysis a test run reads (CANARY_ANALYSIS): delivery/canary.yaml with phases that fit a
     * test: a shadow phase whose gates judge after 300 requests (it ends then, within 2 minutes),
     * 15-s steps. The champion's p99
     * counts as at least 250 ms: a test machine shared by two cores and the load client has p99 spikes
     * of tens of ms that say nothing about a model.
     */
    static Map<String, String> testSettings(Path dir, Consumer<Map<String, Object>> change) throws IOException {
        Path file = DeliveryAnalysis.variant(dir.resolve("canary-analysis.yaml"), a -> {
            a.put("checkSeconds", CHECK_SECONDS);
            DeliveryAnalysis.section(a, "shadow").put("seconds", 120);
            DeliveryAnalysis.section(a, "canary").put("stepSeconds", STEP_SECONDS);
            DeliveryAnalysis.section(a, "canary").put("weights", STEPS);
            DeliveryAnalysis.section(a, "args").put("p99-floor-seconds", "0.25");
            DeliveryAnalysis.gates(a).stream()
                    .filter(g -> "shadow".equals(g.get("phase")))
                    .forEach(g -> g.put("minRequests", 300));
            change.accept(a);
        });
        return Map.of("CANARY_ANALYSIS", file.toString());
    }

    private CanaryRuns() {}

    /** A run and the steady load sent while the candidate had traffic; runEndedNanos is on the load's clock. */
    record LoadedRun(Command.Result run, SteadyLoad.Result load, long runEndedNanos, double seconds) {}

    /**
     * make canary with the test settings, under SteadyLoad from the moment its shadow phase begins
     * until 3 s after it ends. The candidate's start (a JVM and its warm-up on two shared cores) sends
     * the candidate nothing, so the load is not run through it: a starved load client bunches its
     * requests and meets the gateway's rate limit, which says nothing about the canary.
     */
    static LoadedRun runUnderLoad(Path war, Path log) throws IOException, InterruptedException {
        return runUnderLoad(war, log, a -> {});
    }

    /** As above, with the test analysis changed by CHANGE first. */
    static LoadedRun runUnderLoad(Path war, Path log, Consumer<Map<String, Object>> change)
            throws IOException, InterruptedException {
        long began = System.nanoTime();
        Process process = start(log, testSettings(log.getParent(), change), "scripts/canary.sh", "run", war.toString());
        SteadyLoad load = null;
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (process.isAlive() && !"shadow".equals(state().get("phase")) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
            load = SteadyLoad.start();
            if (!process.waitFor(20, TimeUnit.MINUTES)) {
                throw new AssertionError("make canary still runs after 20 minutes; see " + log);
            }
            long runEndedNanos = load.elapsedNanos();
            double seconds = (System.nanoTime() - began) / 1e9;
            TimeUnit.SECONDS.sleep(3);
            SteadyLoad.Result result = load.stop();
            load = null;
            return new LoadedRun(
                    new Command.Result(process.exitValue(), Files.readString(log)), result, runEndedNanos, seconds);
        } finally {
            if (load != null) {
                load.stop();
            }
            if (process.isAlive()) {
                process.destroy(); // SIGTERM: the run sets the shares to 0 and stops its candidate
                process.waitFor(2, TimeUnit.MINUTES);
            }
        }
    }

    /**
     * Starts a run in a session of its own, so a signal to its process group reaches it and its
     * children as Ctrl-C in a terminal would. SIGINT is set back to its default first: a shell keeps
     * a signal ignored that it was started with, and a test JVM started in the background has it so.
     */
    static Process startInOwnSession(Path war, Path log, Consumer<Map<String, Object>> change) throws IOException {
        String launcher =
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.setsid(); os.execvp(sys.argv[1], sys.argv[1:])";
        return start(
                log,
                testSettings(log.getParent(), change),
                "python3",
                "-c",
                launcher,
                "scripts/canary.sh",
                "run",
                war.toString());
    }

    /** A command from the project root with SETTINGS, its output in LOG; not waited for. */
    private static Process start(Path log, Map<String, String> settings, String... command) throws IOException {
        return StackServers.startScript(log, settings, command);
    }

    /** state/canary/state as a map (phase, weight, shadow, decision, gate, value, rollbacks, ...). */
    static Map<String, String> state() throws IOException {
        Map<String, String> state = new HashMap<>();
        if (Files.exists(STATE)) {
            for (String line : Files.readAllLines(STATE)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    state.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        return state;
    }

    static long counter(String key) throws IOException {
        return Long.parseLong(state().getOrDefault(key, "0"));
    }

    /** The shares in force, as the first line of delivery.conf names them. */
    static String shares() throws IOException {
        String first = Files.readAllLines(DELIVERY).get(0);
        return first.substring(first.indexOf("shadow"), first.lastIndexOf('%') + 1);
    }

    /** Waits (at most TIMEOUT) until the run's state file shows PHASE. */
    static void awaitPhase(String phase, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!phase.equals(state().get("phase"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "make canary did not reach phase " + phase + " within " + timeout + ": " + state());
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    /** The Prometheus value of a canary_* series, polled until it equals EXPECTED (at most 30 s). */
    static double awaitMetric(String expr, double expected) {
        return PrometheusQueries.poll(Duration.ofSeconds(30), () -> PrometheusQueries.scalar(expr), v -> v == expected);
    }
}

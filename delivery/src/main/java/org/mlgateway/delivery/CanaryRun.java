package org.mlgateway.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One make canary run (docs/delivery.md#make-canary): starts the candidate (scripts/delivery.sh
 * candidate-start), mirrors the analysis file's share of v1 traffic to it until every shadow gate
 * had its requests and passed, then lets it answer each canary weight in turn, and finally rolls the
 * v1 servers to its WAR (scripts/rollout.sh). Every check asks Prometheus for each gate's value on
 * the phase so far. A failed gate, or a phase that ends without the requests a gate needs, sets the
 * shares to 0 and stops the candidate at once (exit 3). SIGINT or SIGTERM (exit 130, 143) and errors
 * (exit 1 or the failed script's) do the same: no share stays on a candidate nobody watches. Each
 * decision goes to the output, the canary log and the state ({@link CanaryState}).
 */
final class CanaryRun {

    static final String CANDIDATE = "api-candidate";
    static final int ROLLED_BACK = 3;

    /** What a run reads and writes, from the stack's settings: scripts/canary.sh passes them in the environment. */
    record Stack(URI prometheus, Path stateDir, Path log, Path metrics, Path scripts) {

        static Stack fromEnvironment(Map<String, String> env) {
            return new Stack(
                    URI.create(required(env, "PROMETHEUS_URL")),
                    Path.of(required(env, "CANARY_STATE_DIR")),
                    Path.of(required(env, "CANARY_LOG")),
                    Path.of(required(env, "CANARY_METRICS_FILE")),
                    Path.of(required(env, "CANARY_SCRIPTS_DIR")));
        }

        private static String required(Map<String, String> env, String name) {
            String value = env.get(name);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException(name + " is not set (scripts/canary.sh sets it)");
            }
            return value;
        }

        CanaryState state() throws IOException {
            return CanaryState.load(stateDir.resolve("state"), metrics);
        }

        /** The state alone, for the commands that need no more of the stack (canary-init, canary-status). */
        static CanaryState state(Map<String, String> env) throws IOException {
            return CanaryState.load(
                    Path.of(required(env, "CANARY_STATE_DIR")).resolve("state"),
                    Path.of(required(env, "CANARY_METRICS_FILE")));
        }
    }

    /** The run ends before its promotion: rolled back, or stopped with STATUS by an error or a signal. */
    private static final class Ended extends Exception {
        final int status;

        Ended(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    private final AnalysisFile analysis;
    private final Path analysisPath;
    private final Stack stack;
    private final PrintStream out;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    /** The thread of run(), which a signal interrupts. */
    private volatile Thread runner;
    /** 130 or 143 once SIGINT or SIGTERM came; the run then stops at its next wait. */
    private volatile int signal;

    private CanaryState state;
    private String war;
    private String version;
    private String champion;
    private boolean over;
    // The last check: each gate as the log shows it, whether every gate had a value, the first without.
    private final StringBuilder gates = new StringBuilder();
    private boolean allJudged;
    private String notJudged;
    private String requests;

    CanaryRun(AnalysisFile analysis, Path analysisPath, Stack stack, PrintStream out) {
        this.analysis = analysis;
        this.analysisPath = analysisPath;
        this.stack = stack;
        this.out = out;
    }

    /** Runs the candidate WAR of model VERSION against the CHAMPION model; the exit status. */
    int run(Path warPath, String version, String champion) throws IOException {
        runner = Thread.currentThread();
        this.war = warPath.toString();
        this.version = version;
        this.champion = champion;
        state = stack.state();
        state.set("candidate_version", version)
                .set("war", war)
                .set("started_at", Instant.now().getEpochSecond());
        try {
            phases();
            return 0;
        } catch (Ended e) {
            return over ? e.status : abort(e.status);
        } catch (InterruptedException e) {
            return abort(signal == 0 ? 130 : signal);
        } catch (IOException | RuntimeException e) {
            System.err.println("ERROR: " + e);
            return abort(1);
        }
    }

    /** Ctrl-C (SIGINT) and kill (SIGTERM) end the run as any stop does, instead of the JVM at once. */
    CanaryRun onSignals() {
        sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> interrupt(130));
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> interrupt(143));
        return this;
    }

    /** What a signal does: the run ends with STATUS at its next wait, or once the command it waits for ends. */
    void interrupt(int status) {
        signal = status;
        Thread thread = runner;
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void phases() throws IOException, InterruptedException, Ended {
        long runStarted = System.nanoTime();
        log("Canary run: candidate model %s (%s), champion %s; steps %s %%; analysis %s"
                .formatted(version, war, champion, String.join(" ", weights()), analysisPath));
        state.decide("start", "", "", "", "starting").phase("starting", 0, 0).save();
        delivery("candidate-start", war);

        int mirror = analysis.mirrorPercent();
        delivery("traffic", String.valueOf(mirror), "0");
        state.phase("shadow", 0, mirror).save();
        log("Shadow: %d %% of v1 requests mirrored until every gate is judged (at most %ds), gates checked every %ds"
                .formatted(mirror, analysis.shadowSeconds(), analysis.checkSeconds()));
        phase("shadow", "shadow", analysis.shadowSeconds(), System.nanoTime());

        for (int weight : analysis.weights()) {
            delivery("traffic", "0", String.valueOf(weight));
            state.phase("canary", weight, 0).save();
            log("Canary %d %%: held %ds, gates checked every %ds"
                    .formatted(weight, analysis.stepSeconds(), analysis.checkSeconds()));
            phase("canary", "canary " + weight + " %", analysis.stepSeconds(), runStarted);
        }

        state.phase("promoting", 0, 0).save();
        log("Promoting model %s: shares back to 0, then the v1 servers roll to %s one at a time"
                .formatted(version, war));
        delivery("traffic", "0", "0");
        exec(Map.of("WAR", war), stack.scripts().resolve("rollout.sh").toString());
        delivery("candidate-stop");
        state.count("promotions")
                .decide("promote", "rollout", version, "", "promoted")
                .save();
        state.phase("promoted", 0, 0).save();
        log("Promoted: every v1 server serves model %s (was %s); %s retired".formatted(version, champion, CANDIDATE));
        over = true;
    }

    private List<String> weights() {
        return analysis.weights().stream().map(String::valueOf).toList();
    }

    /**
     * A phase, its gates checked every checkSeconds on the phase so far; the champion's window is the
     * phase's too, or since CHAMPION_SINCE (a System.nanoTime()). A canary step is held LENGTH seconds; the shadow phase ends
     * as soon as every gate had its requests and passed (clients see nothing of it), within LENGTH.
     * Returns when the phase passed; any failure rolls back.
     */
    private void phase(String phase, String where, int length, long championSince)
            throws IOException, InterruptedException, Ended {
        long started = System.nanoTime();
        while (true) {
            TimeUnit.SECONDS.sleep(analysis.checkSeconds());
            long elapsed = secondsSince(started);
            long championWindow = secondsSince(championSince);
            checkGates(phase, where, elapsed, championWindow);
            if (elapsed < length && !(phase.equals("shadow") && allJudged)) {
                continue;
            }
            // Ending the shadow phase early needs every gate's requests as well. Its first windows are a
            // few seconds long, so a count read a moment after the gates may hold one scrape and have no
            // value yet (increase needs two): the phase then goes on to the next check.
            if (!checkRequests(phase, where, elapsed, championWindow, elapsed < length)) {
                continue;
            }
            // A gate whose requests arrived after this check's values is judged now: none passes unjudged.
            if (!allJudged) {
                checkGates(phase, where, elapsed, championWindow);
                if (!allJudged) {
                    rollback(where, notJudged, "n/a", "a value");
                }
            }
            log("%s passed after %ds: %srequests: %s"
                    .formatted(Character.toUpperCase(where.charAt(0)) + where.substring(1), elapsed, gates, requests));
            state.decide("advance", where, "", "", where).save();
            return;
        }
    }

    /**
     * Every gate of PHASE that has its requests, on a window of WINDOW seconds (the champion's
     * CHAMPION_WINDOW); the first that fails rolls the candidate back. A gate without a value (too few
     * requests yet) passes unjudged: allJudged turns false and notJudged names the first.
     */
    private void checkGates(String phase, String where, long window, long championWindow)
            throws IOException, InterruptedException, Ended {
        gates.setLength(0);
        allJudged = true;
        notJudged = "";
        for (Gate gate : analysis.gates(phase)) {
            double value = query(gate.judged(), window, championWindow);
            if (Double.isNaN(value)) {
                gates.append(gate.name()).append(" n/a; ");
                if (allJudged) {
                    notJudged = gate.name();
                }
                allJudged = false;
                continue;
            }
            String limit = gate.op() + " " + gate.thresholdText();
            double threshold = gate.threshold().doubleValue();
            if (gate.max() ? !(value <= threshold) : !(value >= threshold)) {
                rollback(where, gate.name(), significant(value), limit);
            }
            gates.append(gate.name())
                    .append(' ')
                    .append(significant(value))
                    .append(' ')
                    .append(limit)
                    .append("; ");
        }
    }

    /**
     * When a phase ends, every gate has had the requests it is judged on; otherwise the candidate is
     * rolled back too (no traffic, no promotion). EARLY (the shadow phase ending before its time):
     * too few is only "not yet", false. Sets requests: the counts.
     */
    private boolean checkRequests(String phase, String where, long window, long championWindow, boolean early)
            throws IOException, InterruptedException, Ended {
        List<String> counts = new ArrayList<>();
        for (Gate gate : analysis.gates(phase)) {
            double count = query(gate.requests(), window, championWindow);
            if (Double.isNaN(count) || count < gate.minRequests()) {
                if (early) {
                    return false;
                }
                rollback(where, gate.name() + "_requests", whole(count), ">= " + gate.minRequests());
            }
            counts.add(gate.name() + " " + whole(count));
        }
        requests = String.join(", ", counts);
        return true;
    }

    private void rollback(String where, String gate, String value, String limit) throws IOException, Ended {
        log("ROLLBACK in %s: gate %s failed, value %s, threshold %s".formatted(where, gate, value, limit));
        state.count("rollbacks").decide("rollback", gate, value, limit, where).save();
        delivery("candidate-stop");
        state.phase("rolled_back", 0, 0).save();
        log("Rolled back: shares 0 %%, %s stopped; the v1 servers serve %s as before".formatted(CANDIDATE, champion));
        over = true;
        throw new Ended(ROLLED_BACK);
    }

    /** Ctrl-C, a kill or an error: the shares back to 0 and the candidate stopped, whatever the phase. */
    private int abort(int status) {
        over = true;
        String phase = state.get("phase");
        try {
            log("Interrupted (exit %d) in phase %s: shares back to 0, stopping %s".formatted(status, phase, CANDIDATE));
            if (command(true, Map.of(), delivery(), "candidate-stop") != 0) {
                command(true, Map.of(), delivery(), "traffic", "0", "0");
            }
            if (phase.equals("promoting")) {
                log("The rollout was cut short: the v1 servers may serve two models; finish it with make rollout WAR="
                        + war);
            }
            state.decide("abort", "interrupted", String.valueOf(status), "", phase)
                    .save();
            state.phase("aborted", 0, 0).save();
        } catch (IOException | RuntimeException e) {
            System.err.println("ERROR: while stopping the run: " + e);
        }
        return status;
    }

    // ---- Prometheus ------------------------------------------------------------------------------

    /** QUERY's value with the run's parameters filled in; NaN when it has none (no data yet, or no answer). */
    private double query(String query, long window, long championWindow) throws InterruptedException {
        String promql = AnalysisFile.oneLine(
                AnalysisFile.fill(query, analysis.runArgs(window + "s", championWindow + "s", version)));
        HttpRequest request = HttpRequest.newBuilder(stack.prometheus().resolve("/api/v1/query"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? value(json.readTree(response.body())) : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** The first sample's value of a query's answer: +Inf and -Inf as infinities, NaN when there is none. */
    static double value(JsonNode answer) {
        JsonNode value =
                answer.path("data").path("result").path(0).path("value").path(1);
        if (!value.isTextual()) {
            return Double.NaN;
        }
        return switch (value.asText()) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(value.asText());
                } catch (NumberFormatException e) {
                    yield Double.NaN;
                }
            }
        };
    }

    /** V with four significant digits, as C's %.4g writes it: 0.03813, 1, 1.235e+04. */
    static String significant(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.isNaN(v) ? "NaN" : v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return "0";
        }
        BigDecimal rounded = new BigDecimal(v).round(new MathContext(4, RoundingMode.HALF_EVEN));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent >= -4 && exponent < 4) {
            return rounded.stripTrailingZeros().toPlainString();
        }
        return rounded.movePointLeft(exponent).stripTrailingZeros().toPlainString() + "e%+03d".formatted(exponent);
    }

    /** A count as a whole number (Prometheus may answer 239.99 or 1.2e+03), NaN as it is. */
    static String whole(double v) {
        return Double.isNaN(v)
                ? "NaN"
                : new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN).toPlainString();
    }

    // ---- The stack's scripts, the log, the state --------------------------------------------------

    private String delivery() {
        return stack.scripts().resolve("delivery.sh").toString();
    }

    /** scripts/delivery.sh with ARGS, its output the run's; a failure stops the run with its status. */
    private void delivery(String... args) throws IOException, Ended {
        List<String> command = new ArrayList<>(List.of(delivery()));
        command.addAll(List.of(args));
        exec(Map.of(), command.toArray(String[]::new));
    }

    /** COMMAND with ENV, its output the run's: a signal that came meanwhile, or its failure, ends the run. */
    private void exec(Map<String, String> env, String... command) throws IOException, Ended {
        int status = command(false, env, command);
        if (signal != 0) {
            throw new Ended(signal);
        }
        if (status != 0) {
            throw new Ended(status);
        }
    }

    /**
     * COMMAND's exit status, waited for to its end even when a signal comes meanwhile (as a shell waits
     * for its foreground command); its output the run's, or discarded when QUIET.
     */
    private int command(boolean quiet, Map<String, String> env, String... command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        if (quiet) {
            builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        } else {
            builder.inheritIO();
        }
        out.flush();
        Process process = builder.start();
        while (true) {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                // the signal is noted in `signal`; the command ends first
            }
        }
    }

    private void log(String message) throws IOException {
        Files.createDirectories(stack.log().getParent());
        Files.writeString(
                stack.log(),
                Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + message + "\n",
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        out.println("==> " + message);
        out.flush();
    }

    /** Whole seconds since NANOS (a System.nanoTime(): a clock no time change moves). */
    private static long secondsSince(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - nanos);
    }
}

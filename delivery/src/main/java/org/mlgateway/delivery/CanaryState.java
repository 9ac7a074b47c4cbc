package org.mlgateway.delivery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a make canary run stands: a KEY=value state file (state/canary/state), and the same facts as
 * Prometheus metrics (canary_*) in a file nginx serves on its status port for the job "canary". The
 * state survives stop and start, so the counters only grow.
 */
final class CanaryState {

    static final List<String> PHASES =
            List.of("idle", "starting", "shadow", "canary", "promoting", "promoted", "rolled_back", "aborted");
    /** Phases a run ends in; any other is a run under way. */
    static final List<String> ENDED = List.of("idle", "promoted", "rolled_back", "aborted");

    private static final Map<String, String> DEFAULTS = defaults();

    private final Path file;
    private final Path metrics;
    private final Map<String, String> values = new LinkedHashMap<>(DEFAULTS);

    private CanaryState(Path file, Path metrics) {
        this.file = file;
        this.metrics = metrics;
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        for (String key : List.of(
                "phase=idle",
                "weight=0",
                "shadow=0",
                "candidate_version=",
                "war=",
                "decision=none",
                "gate=",
                "value=",
                "threshold=",
                "step=",
                "decided_at=0",
                "started_at=0",
                "rollbacks=0",
                "promotions=0")) {
            d.put(key.substring(0, key.indexOf('=')), key.substring(key.indexOf('=') + 1));
        }
        return d;
    }

    /** The state in FILE (a missing file is a stack that never ran one), saved with its metrics to METRICS. */
    static CanaryState load(Path file, Path metrics) throws IOException {
        CanaryState state = new CanaryState(file, metrics);
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                int eq = line.indexOf('=');
                if (eq > 0 && DEFAULTS.containsKey(line.substring(0, eq))) {
                    state.values.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        return state;
    }

    String get(String key) {
        return values.get(key);
    }

    CanaryState set(String key, Object value) {
        if (!DEFAULTS.containsKey(key)) {
            throw new IllegalArgumentException("no canary state key " + key);
        }
        values.put(key, String.valueOf(value));
        return this;
    }

    CanaryState count(String key) {
        return set(key, Long.parseLong(get(key)) + 1);
    }

    CanaryState phase(String phase, int weight, int shadow) {
        return set("phase", phase).set("weight", weight).set("shadow", shadow);
    }

    /** A decision: what was decided, the gate and value that made it, its threshold and the step it was in. */
    CanaryState decide(String decision, String gate, String value, String threshold, String step) {
        return set("decision", decision)
                .set("gate", gate)
                .set("value", value)
                .set("threshold", threshold)
                .set("step", step)
                .set("decided_at", Instant.now().getEpochSecond());
    }

    /** At stack start: a run that was under way is over (its candidate and shares are gone); the counters stay. */
    CanaryState afterRestart() {
        if (!ENDED.contains(get("phase"))) {
            set("phase", "aborted").set("decision", "abort").set("gate", "stack restarted");
            set("decided_at", Instant.now().getEpochSecond());
        }
        return set("weight", 0).set("shadow", 0);
    }

    /** Where the last run stands, as make canary-status shows it. */
    List<String> status() {
        String step = switch (get("phase")) {
            case "canary" -> " (weight " + get("weight") + " %)";
            case "shadow" -> " (" + get("shadow") + " % mirrored)";
            default -> "";
        };
        String decidedAt = get("decided_at");
        String since = decidedAt.equals("0") ? "" : " at " + Instant.ofEpochSecond(Long.parseLong(decidedAt));
        return List.of(
                line("phase", get("phase") + step),
                line(
                        "candidate",
                        (get("candidate_version").isEmpty() ? "none" : get("candidate_version"))
                                + optional(" (", "war", ")")),
                line(
                        "last decision",
                        get("decision")
                                + optional(" in ", "step", "")
                                + optional(": ", "gate", "")
                                + optional(" = ", "value", "")
                                + optional(" (threshold ", "threshold", ")")
                                + since),
                line("totals", get("promotions") + " promoted, " + get("rollbacks") + " rolled back"));
    }

    private static String line(String name, String value) {
        return "  %-14s %s".formatted(name, value);
    }

    /** PREFIX, KEY's value and SUFFIX when it has one; else nothing. */
    private String optional(String prefix, String key, String suffix) {
        return get(key).isEmpty() ? "" : prefix + get(key) + suffix;
    }

    /** Both files, each written whole then renamed; nginx's workers may read the metrics (the scripts' umask is 027). */
    void save() throws IOException {
        StringBuilder text = new StringBuilder();
        values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        replace(file, text.toString(), false);
        Files.createDirectories(metrics.getParent());
        Files.setPosixFilePermissions(metrics.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        replace(metrics, metrics(), true);
    }

    private static void replace(Path target, String text, boolean worldReadable) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        if (worldReadable) {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The Prometheus text format of the state. */
    String metrics() {
        StringBuilder m = new StringBuilder();
        help(m, "canary_phase", "gauge", "Phase of the last make canary run: 1 for the one it is in.");
        PHASES.forEach(p -> m.append("canary_phase{phase=\"%s\"} %d\n".formatted(p, p.equals(get("phase")) ? 1 : 0)));
        help(m, "canary_weight_percent", "gauge", "Share of v1 traffic the candidate answers (sticky per client).");
        m.append("canary_weight_percent ").append(get("weight")).append('\n');
        help(m, "canary_shadow_percent", "gauge", "Share of v1 traffic mirrored to the candidate.");
        m.append("canary_shadow_percent ").append(get("shadow")).append('\n');
        help(
                m,
                "canary_last_decision",
                "gauge",
                "The last decision (start, advance, promote, rollback, abort), the gate that made it and its value: always 1.");
        m.append(
                "canary_last_decision{decision=\"%s\",gate=\"%s\",value=\"%s\",threshold=\"%s\",step=\"%s\",candidate_version=\"%s\"} 1\n"
                        .formatted(
                                label("decision"),
                                label("gate"),
                                label("value"),
                                label("threshold"),
                                label("step"),
                                label("candidate_version")));
        help(m, "canary_last_decision_timestamp_seconds", "gauge", "When the last decision was made.");
        m.append("canary_last_decision_timestamp_seconds ")
                .append(get("decided_at"))
                .append('\n');
        help(m, "canary_rollbacks_total", "counter", "Runs rolled back by a gate.");
        m.append("canary_rollbacks_total ").append(get("rollbacks")).append('\n');
        help(m, "canary_promotions_total", "counter", "Candidates promoted to every v1 server.");
        m.append("canary_promotions_total ").append(get("promotions")).append('\n');
        return m.toString();
    }

    private static void help(StringBuilder m, String name, String type, String help) {
        m.append("# HELP ").append(name).append(' ').append(help).append('\n');
        m.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** A label value as the text format escapes it. */
    private String label(String key) {
        return get(key).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

package org.mlgateway.delivery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The delivery analysis file (delivery/canary.yaml): phases, weights and gates. {@link #problems()}
 * names everything wrong with it at once; the accessors assume a file without problems.
 */
public final class AnalysisFile {

    /** The parameters a run gives, never the file: the phase's window and the champion's. */
    static final Set<String> RUN_ARGS = Set.of("window", "champion-window");

    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{ *args\\.([^ }]+) *\\}\\}");

    private final Map<String, Object> root;
    private final Object parsed;

    private AnalysisFile(Object parsed) {
        this.parsed = parsed;
        this.root = parsed instanceof Map<?, ?> map ? cast(map) : Map.of();
    }

    /** The file at PATH, parsed (anchors resolved); IllegalArgumentException when it is not YAML. */
    public static AnalysisFile load(Path path) throws IOException {
        return parse(Files.readString(path));
    }

    static AnalysisFile parse(String yaml) {
        try {
            return new AnalysisFile(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not YAML: " + e.getMessage(), e);
        }
    }

    /** One line per problem; none when the file is sound. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!(parsed instanceof Map)) {
            return List.of("the file must be a YAML mapping");
        }
        Object check = root.get("checkSeconds");
        if (!whole(check) || number(check) < 1) {
            problems.add("checkSeconds must be a whole number of seconds, at least 1");
        } else {
            long c = (long) number(check);
            for (String at : List.of("shadow.seconds", "canary.stepSeconds")) {
                String[] path = at.split("\\.");
                Object value = section(path[0]).get(path[1]);
                if (!whole(value) || number(value) < c || number(value) % c != 0) {
                    problems.add(at + " must be a whole number of seconds, a multiple of checkSeconds (" + c + ")");
                }
            }
        }
        Object mirror = section("shadow").get("mirrorPercent");
        if (!whole(mirror) || number(mirror) < 1 || number(mirror) > 100) {
            problems.add("shadow.mirrorPercent must be a whole number from 1 to 100");
        }
        if (!risingToHundred(section("canary").get("weights"))) {
            problems.add("canary.weights must be rising whole percentages from 1 to 100, the last 100"
                    + " (such as [5, 25, 50, 100])");
        }
        Object args = root.get("args");
        if (!(args instanceof Map<?, ?> map)
                || !map.entrySet().stream()
                        .allMatch(e -> e.getKey() instanceof String k
                                && k.matches("[a-z][a-z0-9-]*")
                                && e.getValue() instanceof String)) {
            problems.add("args must map names (a-z, 0-9, -) to strings");
        }
        new TreeSet<>(args())
                .stream()
                        .filter(RUN_ARGS::contains)
                        .forEach(name -> problems.add("args." + name + " is set by the run, not the file"));
        Object address = section("kubernetes").get("prometheusAddress");
        if (!(address instanceof String s && s.matches("https?://[^ ]+"))) {
            problems.add("kubernetes.prometheusAddress must be an http(s) URL");
        }
        if (!(root.get("gates") instanceof List<?> gates) || gates.isEmpty()) {
            problems.add("gates must be a list of gates");
            return problems;
        }
        for (int i = 0; i < gates.size(); i++) {
            problems.addAll(gateProblems(i, gates.get(i)));
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (Object g : gates) {
            if (g instanceof Map<?, ?> gate) {
                seen.merge(gate.get("name") + " in " + gate.get("phase"), 1, Integer::sum);
            }
        }
        new TreeSet<>(seen.keySet())
                .stream().filter(k -> seen.get(k) > 1).forEach(k -> problems.add("gate " + k + " is defined twice"));
        for (String phase : List.of("shadow", "canary")) {
            if (gates.stream().noneMatch(g -> g instanceof Map<?, ?> m && phase.equals(m.get("phase")))) {
                problems.add("no gate for the " + phase + " phase");
            }
        }
        return problems;
    }

    private List<String> gateProblems(int index, Object value) {
        Map<String, Object> gate = value instanceof Map<?, ?> map ? cast(map) : Map.of();
        String at = "gates[" + index + "] (" + (gate.get("name") == null ? "no name" : gate.get("name")) + ")";
        if (!(value instanceof Map)) {
            return List.of(at + ": must be a mapping of name, phase, a threshold, minRequests, requests and query");
        }
        List<String> problems = new ArrayList<>();
        if (!(gate.get("name") instanceof String name && name.matches("[a-z][a-z0-9_]*"))) {
            problems.add(at + ": name must be a-z, 0-9 and _");
        }
        if (!List.of("shadow", "canary").contains(gate.get("phase"))) {
            problems.add(at + ": phase must be shadow or canary");
        }
        if (gate.containsKey("min") == gate.containsKey("max")) {
            problems.add(at + ": give one threshold, min or max");
        } else if (!(gate.get(gate.containsKey("max") ? "max" : "min") instanceof Number)) {
            problems.add(at + ": " + (gate.containsKey("max") ? "max" : "min") + " must be a number");
        }
        Object min = gate.get("minRequests");
        if (!whole(min) || number(min) < 0) {
            problems.add(at + ": minRequests must be a whole number");
        }
        if (!(gate.get("query") instanceof String query && !query.isEmpty())
                || !(gate.get("requests") instanceof String requests && !requests.isEmpty())) {
            problems.add(at + ": query and requests must be PromQL");
        } else {
            Set<String> used = new TreeSet<>(placeholders(query + "\n" + requests));
            used.stream()
                    .filter(n -> !args().contains(n) && !RUN_ARGS.contains(n))
                    .forEach(n ->
                            problems.add(at + ": {{args." + n + "}} is neither in args nor window or champion-window"));
        }
        return problems;
    }

    private static boolean risingToHundred(Object value) {
        if (!(value instanceof List<?> weights) || weights.isEmpty()) {
            return false;
        }
        double previous = 0;
        for (Object w : weights) {
            if (!whole(w) || number(w) < 1 || number(w) > 100 || number(w) <= previous) {
                return false;
            }
            previous = number(w);
        }
        return previous == 100;
    }

    /** A number without a fraction (5 and 5.0 both). */
    private static boolean whole(Object value) {
        return value instanceof Number n
                && n.doubleValue() == Math.floor(n.doubleValue())
                && Double.isFinite(n.doubleValue());
    }

    private static double number(Object value) {
        return ((Number) value).doubleValue();
    }

    /** The names of the {{args.NAME}} placeholders in TEXT, in order of appearance. */
    static List<String> placeholders(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** TEXT with every {{args.NAME}} of ARGS replaced by its value. */
    static String fill(String text, Map<String, String> args) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = args.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
        }
        return m.appendTail(out).toString();
    }

    /** TEXT on one line: every run of white space one space, none at either end. */
    static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }

    private Map<String, Object> section(String name) {
        return root.get(name) instanceof Map<?, ?> map ? cast(map) : Map.of();
    }

    /** The file's own parameters of the gate queries, with their defaults, in the file's order. */
    public Map<String, String> defaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        section("args").forEach((k, v) -> defaults.put(k, String.valueOf(v)));
        return defaults;
    }

    /**
     * A run's parameters of the gate queries: the file's defaults, then the run's own (the window so far,
     * the champion's window, the candidate's model version).
     */
    public Map<String, String> runArgs(String window, String championWindow, String candidateVersion) {
        Map<String, String> args = defaults();
        args.put("window", window);
        args.put("champion-window", championWindow);
        args.put("candidate-version", candidateVersion);
        return args;
    }

    private Set<String> args() {
        return section("args").keySet();
    }

    public int checkSeconds() {
        return integer(root.get("checkSeconds"));
    }

    public int mirrorPercent() {
        return integer(section("shadow").get("mirrorPercent"));
    }

    public int shadowSeconds() {
        return integer(section("shadow").get("seconds"));
    }

    public int stepSeconds() {
        return integer(section("canary").get("stepSeconds"));
    }

    /** How long a phase lasts: the shadow phase at most, each canary step. */
    public int seconds(String phase) {
        return phase.equals("shadow") ? shadowSeconds() : stepSeconds();
    }

    public List<Integer> weights() {
        return ((List<?>) section("canary").get("weights"))
                .stream().map(AnalysisFile::integer).toList();
    }

    public String prometheusAddress() {
        return String.valueOf(section("kubernetes").get("prometheusAddress"));
    }

    /** The gates of PHASE, in the file's order. */
    public List<Gate> gates(String phase) {
        return gates().stream().filter(g -> g.phase().equals(phase)).toList();
    }

    /** Every gate, in the file's order. */
    public List<Gate> gates() {
        return ((List<?>) root.get("gates"))
                .stream().map(g -> Gate.of(cast((Map<?, ?>) g))).toList();
    }

    private static int integer(Object value) {
        return ((Number) value).intValue();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }
}

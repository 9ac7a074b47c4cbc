package org.mlgateway.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Argo Rollouts objects of an analysis file (make k8s-analysis; docs/kubernetes.md): judged as
 * make canary judges, so one file delivers on both platforms.
 */
public final class ArgoObjects {

    private static final Map<String, Object> LABELS = map("app.kubernetes.io/part-of", "ml-gateway");

    private final AnalysisFile file;

    public ArgoObjects(AnalysisFile file) {
        this.file = file;
    }

    /** The AnalysisTemplates ml-gateway-shadow and ml-gateway-canary. */
    public List<Map<String, Object>> templates() {
        return List.of(template("shadow"), template("canary"));
    }

    /**
     * A template: one metric per gate, judged every checkSeconds on the phase so far, and one per gate
     * that requires its requests when the phase ends.
     */
    Map<String, Object> template(String phase) {
        int check = file.checkSeconds();
        int length = file.seconds(phase);
        List<Object> metrics = new ArrayList<>();
        for (Gate gate : file.gates(phase)) {
            metrics.add(map(
                    "name",
                    gate.name(),
                    "initialDelay",
                    check + "s",
                    "interval",
                    check + "s",
                    "count",
                    length / check,
                    "failureLimit",
                    0,
                    "successCondition",
                    "len(result) == 0 || isNaN(result[0]) || result[0] " + gate.op() + " " + gate.thresholdText(),
                    "provider",
                    prometheus(gate.judged())));
            metrics.add(map(
                    "name",
                    gate.name() + "_requests",
                    "initialDelay",
                    length + "s",
                    "count",
                    1,
                    "failureLimit",
                    0,
                    "successCondition",
                    "len(result) == 1 && result[0] >= " + gate.minRequests(),
                    "provider",
                    prometheus(gate.requests())));
        }
        return map(
                "apiVersion",
                "argoproj.io/v1alpha1",
                "kind",
                "AnalysisTemplate",
                "metadata",
                map("name", "ml-gateway-" + phase, "labels", LABELS),
                "spec",
                map("args", args(phase), "metrics", metrics));
    }

    private Map<String, Object> prometheus(String query) {
        return map("prometheus", map("address", file.prometheusAddress(), "query", AnalysisFile.oneLine(query)));
    }

    /**
     * The arguments the phase's queries use: the file's with their defaults; the window is the
     * phase's length; the champion's is the same in the shadow phase, given by each canary step.
     */
    private List<Object> args(String phase) {
        List<String> used = file.gates(phase).stream()
                .flatMap(g -> AnalysisFile.placeholders(g.query() + "\n" + g.requests()).stream())
                .toList();
        String length = file.seconds(phase) + "s";
        List<Object> args = new ArrayList<>();
        file.defaults().forEach((name, value) -> args.add(map("name", name, "value", value)));
        args.add(map("name", "window", "value", length));
        args.add(
                phase.equals("shadow")
                        ? map("name", "champion-window", "value", length)
                        : map("name", "champion-window"));
        return args.stream()
                .filter(a -> used.contains(((Map<?, ?>) a).get("name")))
                .toList();
    }

    /** The Rollout's steps (a patch): each weight, then the canary template for the step. */
    public Map<String, Object> steps() {
        List<Object> steps = new ArrayList<>();
        List<Integer> weights = file.weights();
        for (int k = 0; k < weights.size(); k++) {
            steps.add(map("setWeight", weights.get(k)));
            steps.add(map(
                    "analysis",
                    map(
                            "templates", List.of(map("templateName", "ml-gateway-canary")),
                            "args",
                                    List.of(map(
                                            "name", "champion-window", "value", (k + 1) * file.stepSeconds() + "s")))));
        }
        return map(
                "apiVersion",
                "argoproj.io/v1alpha1",
                "kind",
                "Rollout",
                "metadata",
                map("name", "api-v1"),
                "spec",
                map("strategy", map("canary", map("steps", steps))));
    }

    /** The gateway's mirror share (a patch of its Deployment). */
    public Map<String, Object> mirror() {
        Map<String, Object> nginx = map(
                "name",
                "nginx",
                "env",
                List.of(map("name", "SHADOW_PERCENT", "value", String.valueOf(file.mirrorPercent()))));
        return map(
                "apiVersion",
                "apps/v1",
                "kind",
                "Deployment",
                "metadata",
                map("name", "gateway"),
                "spec",
                map("template", map("spec", map("containers", List.of(nginx)))));
    }

    /** An AnalysisRun of the shadow template with every argument given (kubectl create -f). */
    public Map<String, Object> shadowRun() {
        Map<String, Object> spec =
                AnalysisFile.cast((Map<?, ?>) template("shadow").get("spec"));
        return map(
                "apiVersion",
                "argoproj.io/v1alpha1",
                "kind",
                "AnalysisRun",
                "metadata",
                map("generateName", "ml-gateway-shadow-", "labels", LABELS),
                "spec",
                map("args", spec.get("args"), "metrics", spec.get("metrics")));
    }

    /**
     * Where each weight lands with REPLICAS pods and maxSurge 1: the gateway balances over pods, so a
     * weight is the share of pods that are the candidate's. "5 % as 1 of 4 pods (25 %); ..."
     */
    public String precision(int replicas) {
        return file.weights().stream()
                .map(w -> {
                    int[] p = pods(replicas, w, 1);
                    double percent = Math.round(p[0] * 100.0 / p[1] * 10) / 10.0;
                    return w + " % as " + p[0] + " of " + p[1] + " pods (" + Gate.decimal(percent) + " %)";
                })
                .collect(Collectors.joining("; "));
    }

    /**
     * Candidate and total pods for WEIGHT, as Argo Rollouts' basic canary places them
     * (approximateWeightedCanaryStableReplicaCounts): of the counts it may choose, the one nearest the
     * weight, the first on a tie.
     */
    static int[] pods(int replicas, int weight, int surge) {
        int ceil = (int) Math.ceil(replicas * weight / 100.0);
        int floor = (int) Math.floor(replicas * weight / 100.0);
        boolean zero = weight == 100 || weight == 0 || (replicas == 1 && surge == 0);
        List<int[]> options = new ArrayList<>();
        if (ceil < replicas || zero) {
            options.add(new int[] {ceil, replicas});
        }
        if (!tied(replicas, weight) && (floor != 0 || zero)) {
            options.add(new int[] {floor, replicas});
        }
        if (surge > 0) {
            options.add(new int[] {ceil, replicas + 1});
            if (!tied(replicas + 1, weight) && (floor != 0 || zero)) {
                options.add(new int[] {floor, replicas + 1});
            }
        }
        int[] best = options.get(0);
        for (int[] o : options.subList(1, options.size())) {
            if (Math.abs(o[0] * 100.0 / o[1] - weight) < Math.abs(best[0] * 100.0 / best[1] - weight)) {
                best = o;
            }
        }
        return best;
    }

    /** TOTAL pods at WEIGHT % fall exactly half-way between two counts. */
    private static boolean tied(int total, int weight) {
        double pods = total * (weight / 100.0);
        return pods - Math.floor(pods) == 0.5;
    }

    /** An ordered map of KEY, VALUE pairs (Map.of forgets the order YAML should keep). */
    static Map<String, Object> map(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }
}

package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mlgateway.e2e.KubernetesManifests.cast;
import static org.mlgateway.e2e.KubernetesManifests.containers;
import static org.mlgateway.e2e.KubernetesManifests.list;
import static org.mlgateway.e2e.KubernetesManifests.map;
import static org.mlgateway.e2e.KubernetesManifests.name;
import static org.mlgateway.e2e.KubernetesManifests.named;
import static org.mlgateway.e2e.KubernetesManifests.ofKind;
import static org.mlgateway.e2e.KubernetesManifests.podLabels;
import static org.mlgateway.e2e.KubernetesManifests.workload;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Argo Rollouts objects of the production overlays, generated from delivery/canary.yaml by
 * `make k8s-analysis`: they pass Argo Rollouts' own schema (ArgoRolloutsSchema), with the
 * AnalysisRuns the Rollout's steps create and the shadow overlay's; they are the file (each gate a
 * metric with its query, threshold, minimum and timing; each weight a step), so a threshold changed
 * in the file is a threshold changed in the template; and they are wired: every argument a query
 * uses is declared and given, every series a query reads is recorded by a rule or read from the
 * servers by the rules too, and the `role` labels the queries select are the pods' labels.
 */
class KubernetesArgoRolloutsTest {

    private static final Path SHADOW_RUN = Path.of("kubernetes/components/shadow/generated/shadow-analysisrun.yaml");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{ *args\\.([^ }]+) *}}");
    private static final Pattern NUMBER = Pattern.compile("(-?[0-9.]+(?:e-?[0-9]+)?)$");

    private static Map<String, Object> template(List<Map<String, Object>> objects, String name) {
        return objects.stream()
                .filter(o -> "AnalysisTemplate".equals(o.get("kind")) && name.equals(name(o)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no AnalysisTemplate " + name));
    }

    private static List<Map<String, Object>> steps(Map<String, Object> rollout) {
        return list(map(map(map(rollout, "spec"), "strategy"), "canary"), "steps");
    }

    private static List<Map<String, Object>> shadowRuns(Path copy) throws IOException {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (String doc : List.of(Files.readString(copy.resolve(SHADOW_RUN)).split("(?m)^---$"))) {
            Object parsed = KubernetesManifests.loadYaml(doc);
            if (parsed != null) {
                runs.add(cast(parsed));
            }
        }
        return runs;
    }

    /**
     * The AnalysisRun Argo Rollouts creates for an analysis step: the templates' metrics, and their
     * arguments with the step's values over the templates' defaults (Argo's merge of Rollout and
     * template args).
     */
    private static Map<String, Object> runOf(List<Map<String, Object>> objects, Map<String, Object> analysisStep) {
        Map<String, Map<String, Object>> args = new LinkedHashMap<>();
        List<Object> metrics = new ArrayList<>();
        for (Map<String, Object> ref : list(analysisStep, "templates")) {
            Map<String, Object> spec = map(template(objects, String.valueOf(ref.get("templateName"))), "spec");
            list(spec, "args").forEach(a -> args.put(String.valueOf(a.get("name")), new LinkedHashMap<>(a)));
            metrics.addAll(list(spec, "metrics"));
        }
        list(analysisStep, "args").forEach(a -> args.put(String.valueOf(a.get("name")), new LinkedHashMap<>(a)));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("args", new ArrayList<>(args.values()));
        spec.put("metrics", metrics);
        return new LinkedHashMap<>(Map.of(
                "apiVersion",
                "argoproj.io/v1alpha1",
                "kind",
                "AnalysisRun",
                "metadata",
                Map.of("generateName", "api-v1-step-"),
                "spec",
                spec));
    }

    /** Every AnalysisRun of an overlay: one per analysis step of its Rollout, and the shadow overlay's. */
    private static List<Map<String, Object>> runs(String overlay) throws IOException {
        List<Map<String, Object>> objects = KubernetesManifests.objects(overlay);
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Map<String, Object> step : steps(named(overlay, "Rollout", "api-v1"))) {
            if (step.containsKey("analysis")) {
                runs.add(runOf(objects, map(step, "analysis")));
            }
        }
        if (overlay.equals("production-shadow")) {
            runs.addAll(shadowRuns(KubernetesManifests.WORK));
        }
        return runs;
    }

    @Test
    void theRolloutTemplatesAndAnalysisRunsPassArgoRolloutsOwnSchema() throws Exception {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String overlay : KubernetesManifests.ROLLOUT_OVERLAYS) {
            KubernetesManifests.objects(overlay).stream()
                    .filter(o -> String.valueOf(o.get("apiVersion")).startsWith("argoproj.io/"))
                    .forEach(objects::add);
            objects.addAll(runs(overlay));
        }
        assertEquals(
                Set.of("Rollout", "AnalysisTemplate", "AnalysisRun"),
                new TreeSet<>(
                        objects.stream().map(o -> String.valueOf(o.get("kind"))).toList()));
        Command.Result result = ArgoRolloutsSchema.validate(objects);
        System.out.print("Argo Rollouts schema: " + result.output());
        assertEquals(0, result.exitCode(), "Argo Rollouts' schema refuses generated objects:\n" + result.output());
        assertTrue(result.output().contains(objects.size() + " objects checked, 0 problems"), result.output());
    }

    @Test
    void theGeneratedObjectsAreTheAnalysisFile() throws IOException {
        assertGeneratedFrom(
                DeliveryAnalysis.load(),
                KubernetesManifests.objects("production-shadow"),
                shadowRuns(KubernetesManifests.WORK));
    }

    /** A threshold changed in the file is changed in the generated AnalysisTemplate, and nothing else is. */
    @Test
    void changingAThresholdInTheFileChangesTheGeneratedTemplate() throws Exception {
        Path copy = KubernetesManifests.cleanCopy();
        Path file = DeliveryAnalysis.variant(
                copy.resolve("delivery/canary.yaml"),
                a -> DeliveryAnalysis.gate(a, "canary", "error_ratio").put("max", 0.02));
        KubernetesManifests.generate(copy, file);
        List<Map<String, Object>> changed = KubernetesManifests.render(copy, "production-shadow");
        Map<String, Object> analysis = KubernetesManifests.cast(KubernetesManifests.loadYaml(Files.readString(file)));
        assertGeneratedFrom(analysis, changed, shadowRuns(copy));

        Map<String, Object> before =
                metric(template(KubernetesManifests.objects("production"), "ml-gateway-canary"), "error_ratio");
        Map<String, Object> after = metric(template(changed, "ml-gateway-canary"), "error_ratio");
        System.out.printf(
                "error_ratio max 0.01 -> 0.02: successCondition '%s' -> '%s'%n",
                before.get("successCondition"), after.get("successCondition"));
        assertTrue(String.valueOf(before.get("successCondition")).endsWith("<= 0.01"), before.toString());
        assertTrue(String.valueOf(after.get("successCondition")).endsWith("<= 0.02"), after.toString());
        assertEquals(
                template(KubernetesManifests.objects("production"), "ml-gateway-shadow"),
                template(changed, "ml-gateway-shadow"),
                "the shadow phase's error_ratio gate is another gate: its template is unchanged");
    }

    private static Map<String, Object> metric(Map<String, Object> template, String name) {
        return list(map(template, "spec"), "metrics").stream()
                .filter(m -> name.equals(m.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name(template) + " has no metric " + name));
    }

    private static String oneLine(Object query) {
        return String.valueOf(query).replaceAll("\\s+", " ").trim();
    }

    private static double threshold(String condition) {
        Matcher m = NUMBER.matcher(condition.trim());
        assertTrue(m.find(), "no threshold at the end of " + condition);
        return Double.parseDouble(m.group(1));
    }

    /** OBJECTS (a rendered shadow overlay) and RUNS are what ANALYSIS says, gate by gate and step by step. */
    private static void assertGeneratedFrom(
            Map<String, Object> analysis, List<Map<String, Object>> objects, List<Map<String, Object>> runs) {
        int check = ((Number) analysis.get("checkSeconds")).intValue();
        String address =
                String.valueOf(DeliveryAnalysis.section(analysis, "kubernetes").get("prometheusAddress"));
        Map<String, Integer> lengths = Map.of(
                "shadow",
                ((Number) DeliveryAnalysis.section(analysis, "shadow").get("seconds")).intValue(),
                "canary",
                ((Number) DeliveryAnalysis.section(analysis, "canary").get("stepSeconds")).intValue());
        for (String phase : List.of("shadow", "canary")) {
            Map<String, Object> template = template(objects, "ml-gateway-" + phase);
            int length = lengths.get(phase);
            List<String> expectedNames = new ArrayList<>();
            for (Map<String, Object> gate : DeliveryAnalysis.gates(analysis)) {
                if (!phase.equals(gate.get("phase"))) {
                    continue;
                }
                String name = String.valueOf(gate.get("name"));
                expectedNames.addAll(List.of(name, name + "_requests"));
                boolean max = gate.containsKey("max");
                double limit = ((Number) gate.get(max ? "max" : "min")).doubleValue();
                Map<String, Object> judged = metric(template, name);
                String where = name(template) + " " + name;
                assertEquals(check + "s", judged.get("interval"), where + " interval");
                assertEquals(check + "s", judged.get("initialDelay"), where + " first check");
                assertEquals(length / check, judged.get("count"), where + " checks");
                assertEquals(0, judged.get("failureLimit"), where + ": one failure fails");
                String condition = String.valueOf(judged.get("successCondition"));
                assertTrue(
                        condition.startsWith(
                                "len(result) == 0 || isNaN(result[0]) || result[0] " + (max ? "<=" : ">=") + " "),
                        where + ": not judged until its requests, then " + (max ? "at most" : "at least")
                                + " the threshold: " + condition);
                assertEquals(limit, threshold(condition), where + " threshold");
                Map<String, Object> prometheus = map(map(judged, "provider"), "prometheus");
                assertEquals(address, prometheus.get("address"), where);
                assertEquals(
                        oneLine("(" + gate.get("query") + ") and on() ((" + gate.get("requests") + ") >= "
                                + gate.get("minRequests") + ")"),
                        oneLine(prometheus.get("query")),
                        where + " query");
                Map<String, Object> requests = metric(template, name + "_requests");
                assertEquals(
                        length + "s", requests.get("initialDelay"), where + ": requests counted when the phase ends");
                assertEquals(1, requests.get("count"));
                assertEquals(
                        "len(result) == 1 && result[0] >= " + gate.get("minRequests"),
                        requests.get("successCondition"),
                        where);
                assertEquals(
                        oneLine(gate.get("requests")),
                        oneLine(map(map(requests, "provider"), "prometheus").get("query")),
                        where + " requests query");
            }
            assertEquals(
                    expectedNames,
                    list(map(template, "spec"), "metrics").stream()
                            .map(m -> String.valueOf(m.get("name")))
                            .toList(),
                    name(template) + ": one metric per gate and one per gate's requests, nothing else");
            Map<String, Object> args = new LinkedHashMap<>();
            list(map(template, "spec"), "args").forEach(a -> args.put(String.valueOf(a.get("name")), a.get("value")));
            // The arguments a template declares are those its queries use (everyTemplateArgumentIs...); the
            // file's among them keep the file's defaults.
            DeliveryAnalysis.section(analysis, "args").forEach((k, v) -> {
                if (args.containsKey(k)) {
                    assertEquals(v, args.get(k), name(template) + " default of " + k);
                }
            });
            assertEquals(length + "s", args.get("window"), name(template) + ": the window is the phase");
        }

        Map<String, Object> rollout = objects.stream()
                .filter(o -> "Rollout".equals(o.get("kind")))
                .findFirst()
                .orElseThrow();
        List<Object> weights = cast(DeliveryAnalysis.section(analysis, "canary").get("weights"));
        List<Map<String, Object>> steps = steps(rollout);
        List<Object> expected = new ArrayList<>();
        for (int k = 0; k < weights.size(); k++) {
            expected.add(Map.of("setWeight", weights.get(k)));
            expected.add(Map.of(
                    "analysis",
                    Map.of(
                            "templates",
                            List.of(Map.of("templateName", "ml-gateway-canary")),
                            "args",
                            List.of(Map.of(
                                    "name", "champion-window", "value", (k + 1) * lengths.get("canary") + "s")))));
        }
        assertEquals(
                expected,
                steps,
                "each weight of the file, then the canary gates for the step; the champion's window spans the run so far");

        Map<String, Object> nginx = containers(objects.stream()
                        .filter(o -> "Deployment".equals(o.get("kind")) && "gateway".equals(name(o)))
                        .findFirst()
                        .orElseThrow())
                .get(0);
        assertEquals(
                String.valueOf(DeliveryAnalysis.section(analysis, "shadow").get("mirrorPercent")),
                list(nginx, "env").stream()
                        .filter(e -> "SHADOW_PERCENT".equals(e.get("name")))
                        .findFirst()
                        .orElseThrow()
                        .get("value"),
                "the gateway mirrors the file's share");
        assertEquals(1, runs.size(), "one shadow AnalysisRun");
        assertEquals(
                list(map(template(objects, "ml-gateway-shadow"), "spec"), "metrics"),
                list(map(runs.get(0), "spec"), "metrics"),
                "the shadow AnalysisRun runs the shadow template's metrics");
    }

    /**
     * Every template's placeholders are its declared arguments; every AnalysisRun (each step's, and
     * the shadow overlay's) gives every argument a value; every template a step names exists.
     */
    @Test
    void everyTemplateArgumentIsDeclaredAndEveryRunGivesEachAValue() throws IOException {
        for (String overlay : KubernetesManifests.ROLLOUT_OVERLAYS) {
            for (Map<String, Object> template : ofKind(overlay, "AnalysisTemplate")) {
                Set<String> declared = new TreeSet<>(list(map(template, "spec"), "args").stream()
                        .map(a -> String.valueOf(a.get("name")))
                        .toList());
                assertEquals(
                        declared,
                        placeholders(list(map(template, "spec"), "metrics")),
                        name(template) + ": declared args are the ones its queries use");
            }
            List<Map<String, Object>> runs = runs(overlay);
            assertFalse(runs.isEmpty(), overlay);
            for (Map<String, Object> run : runs) {
                Map<String, Object> given = new LinkedHashMap<>();
                list(map(run, "spec"), "args").forEach(a -> given.put(String.valueOf(a.get("name")), a.get("value")));
                for (String used : placeholders(list(map(run, "spec"), "metrics"))) {
                    assertTrue(
                            given.get(used) != null
                                    && !String.valueOf(given.get(used)).isBlank(),
                            overlay + ": an AnalysisRun gives no value to {{args." + used + "}}: " + given);
                }
            }
        }
    }

    private static Set<String> placeholders(List<Map<String, Object>> metrics) {
        Set<String> used = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(metrics.toString());
        while (m.find()) {
            used.add(m.group(1));
        }
        return used;
    }

    /**
     * Every series a gate query reads is recorded by a rule of prometheus/rules, or is of a metric
     * family the rules read from the servers too (a histogram's _bucket beside its _count; the rules
     * are filled on the running stack in MonitoringIT, and
     * ShadowAndCanaryIT checks for these gates with a candidate); no query reads a bare name that
     * is neither, and no name is read without a label matcher.
     */
    @Test
    void everySeriesAQueryReadsIsRecordedByARuleOrReadByTheRulesFromTheServers() throws IOException {
        Set<String> recorded = new TreeSet<>();
        StringBuilder ruleExprs = new StringBuilder();
        try (Stream<Path> files = Files.list(StackEnv.projectRoot().resolve("prometheus/rules"))) {
            for (Path file : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                Map<String, Object> doc = cast(KubernetesManifests.loadYaml(Files.readString(file)));
                for (Map<String, Object> group : list(doc, "groups")) {
                    for (Map<String, Object> rule : list(group, "rules")) {
                        if (rule.containsKey("record")) {
                            recorded.add(String.valueOf(rule.get("record")));
                        }
                        ruleExprs.append(rule.get("expr")).append('\n');
                    }
                }
            }
        }
        Set<String> fromServers = PromQl.families(PromQl.selectedNames(ruleExprs.toString()));
        fromServers.removeAll(recorded);
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> template : ofKind("production", "AnalysisTemplate")) {
            for (Map<String, Object> metric : list(map(template, "spec"), "metrics")) {
                String query = String.valueOf(
                        map(map(metric, "provider"), "prometheus").get("query"));
                String where = name(template) + " " + metric.get("name");
                PromQl.bareIdentifiers(query)
                        .forEach(id -> problems.add(where + ": reads " + id + " without a label matcher"));
                for (String series : PromQl.selectedNames(query)) {
                    if (!recorded.contains(series) && !fromServers.contains(PromQl.family(series))) {
                        problems.add(where + ": reads " + series
                                + ", which no rule records and no rule reads from the servers");
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
        assertFalse(recorded.isEmpty() || fromServers.isEmpty());
    }

    /**
     * The candidate and champion matchers the templates default to (role="candidate",
     * role="champion") select real pods: the PodMonitor copies the pod label `role` into the series,
     * the Rollout labels its canary and stable pods with those values, and the shadow overlay's
     * candidate carries role=candidate while being no pod of the Service api-v1.
     */
    @Test
    void theCandidateAndChampionMatchersAreLabelsThePodsCarry() {
        for (String overlay : KubernetesManifests.ROLLOUT_OVERLAYS) {
            Map<String, String> matchers = new LinkedHashMap<>();
            for (Map<String, Object> template : ofKind(overlay, "AnalysisTemplate")) {
                list(map(template, "spec"), "args")
                        .forEach(a -> matchers.put(String.valueOf(a.get("name")), String.valueOf(a.get("value"))));
            }
            assertEquals("role=\"candidate\"", matchers.get("candidate"), overlay);
            assertEquals("role=\"champion\"", matchers.get("champion"), overlay);
            Map<String, Object> podMonitor = named(overlay, "PodMonitor", "api");
            assertTrue(
                    list(list(map(podMonitor, "spec"), "podMetricsEndpoints").get(0), "relabelings").stream()
                            .anyMatch(r -> "role".equals(r.get("targetLabel"))
                                    && List.of("__meta_kubernetes_pod_label_role")
                                            .equals(r.get("sourceLabels"))),
                    overlay + ": the PodMonitor api carries the pod label role into the series");
            Map<String, Object> canary =
                    map(map(map(named(overlay, "Rollout", "api-v1"), "spec"), "strategy"), "canary");
            assertEquals(
                    "candidate",
                    map(map(canary, "canaryMetadata"), "labels").get("role"),
                    overlay + ": the Rollout's candidate pods");
            assertEquals(
                    "champion",
                    map(map(canary, "stableMetadata"), "labels").get("role"),
                    overlay + ": the Rollout's champion pods");
        }
        Map<String, Object> candidate = workload("production-shadow", "api-candidate");
        assertEquals("candidate", podLabels(candidate).get("role"), "the shadow candidate's pods");
        Map<String, Object> v1Selector = map(map(named("production-shadow", "Service", "api-v1"), "spec"), "selector");
        assertFalse(
                KubernetesManifests.selects(v1Selector, podLabels(candidate)),
                "no client request reaches the shadow candidate");
        Map<String, Object> candidateSelector =
                map(map(named("production-shadow", "Service", "api-candidate"), "spec"), "selector");
        assertTrue(
                KubernetesManifests.selects(candidateSelector, podLabels(candidate)),
                "the mirror's Service selects the candidate");
    }

    /**
     * Every image of every production overlay can be pinned by digest through the overlay: with an
     * `images` entry per image giving a digest, every container and init container runs
     * name@sha256:..., the Rollout's and the shadow candidate's included.
     */
    @Test
    void everyImageCanBePinnedByDigestThroughTheOverlay() throws IOException {
        Path copy = KubernetesManifests.cleanCopy();
        KubernetesManifests.generate(copy, copy.resolve("delivery/canary.yaml"));
        // As a user pins: each images entry of the overlays gets a digest in place of its tag, and
        // the images no entry names yet (the exporter, busybox) get an entry.
        Set<String> unnamed = new TreeSet<>();
        for (String overlay : List.of("production-deployment", "production", "production-shadow")) {
            KubernetesManifests.workloads(overlay)
                    .forEach(w -> allContainers(w).stream()
                            .map(c -> String.valueOf(c.get("image")))
                            .filter(image -> !image.startsWith("registry.example.com/"))
                            .forEach(image -> unnamed.add(image.replaceAll(":[^:/]+$", ""))));
        }
        int[] next = {0};
        Map<String, String> digests = new LinkedHashMap<>();
        for (String kustomization : List.of(
                "kubernetes/components/production/kustomization.yaml",
                "kubernetes/overlays/production-shadow/kustomization.yaml")) {
            Path file = copy.resolve(kustomization);
            Map<String, Object> doc = cast(KubernetesManifests.loadYaml(Files.readString(file)));
            List<Map<String, Object>> images = cast(doc.get("images"));
            for (Map<String, Object> entry : images) {
                entry.remove("newTag");
                entry.put("digest", "sha256:" + String.format("%064x", ++next[0]));
                digests.put(String.valueOf(entry.get("name")), String.valueOf(entry.get("digest")));
            }
            if (kustomization.contains("components/production")) {
                for (String image : unnamed) {
                    String digest = "sha256:" + String.format("%064x", ++next[0]);
                    images.add(new LinkedHashMap<>(Map.of("name", image, "digest", digest)));
                    digests.put(image, digest);
                }
            }
            Files.writeString(file, new org.yaml.snakeyaml.Yaml().dump(doc));
        }
        int pinned = 0;
        for (String overlay : List.of("production-deployment", "production", "production-shadow")) {
            for (Map<String, Object> workload : KubernetesManifests.render(copy, overlay).stream()
                    .filter(o -> List.of("Deployment", "Rollout").contains(o.get("kind")))
                    .toList()) {
                for (Map<String, Object> c : allContainers(workload)) {
                    String image = String.valueOf(c.get("image"));
                    String where = overlay + " " + name(workload) + " " + c.get("name");
                    assertTrue(
                            image.matches("[^:@]+(:[0-9]+)?[^:@]*@sha256:[0-9a-f]{64}"),
                            where + " runs " + image + ", not pinned by digest");
                    assertTrue(
                            digests.containsValue(image.substring(image.indexOf('@') + 1)),
                            where + ": " + image + " is no digest the overlay gave");
                    pinned++;
                }
            }
        }
        System.out.println(
                "Pinned by digest through the overlays: " + pinned + " containers, images " + digests.keySet());
        String v1 = String.valueOf(allContainers(KubernetesManifests.render(copy, "production").stream()
                        .filter(o -> "Rollout".equals(o.get("kind")))
                        .findFirst()
                        .orElseThrow())
                .get(0)
                .get("image"));
        assertEquals(
                "registry.example.com/ml-gateway/api-v1@" + digests.get("ml-gateway/api-v1"),
                v1,
                "the Rollout runs the pinned api-v1");
    }

    private static List<Map<String, Object>> allContainers(Map<String, Object> workload) {
        Map<String, Object> pod = map(KubernetesManifests.podTemplate(workload), "spec");
        return Stream.concat(list(pod, "initContainers").stream(), list(pod, "containers").stream())
                .toList();
    }

    /** The little of PromQL these checks need: which series names a query selects. */
    static final class PromQl {
        private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{");
        private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
        private static final Set<String> WORDS = Set.of(
                "sum",
                "min",
                "max",
                "avg",
                "count",
                "by",
                "without",
                "on",
                "ignoring",
                "group_left",
                "group_right",
                "and",
                "or",
                "unless",
                "bool",
                "offset",
                "increase",
                "rate",
                "irate",
                "histogram_quantile",
                "clamp_min",
                "clamp_max",
                "scalar",
                "vector",
                "log2",
                "abs",
                "le",
                "label");

        private PromQl() {}

        /** A histogram's or summary's series (_bucket, _count, _sum) as its family's name. */
        static String family(String series) {
            return series.replaceAll("_(bucket|count|sum)$", "");
        }

        static Set<String> families(Set<String> series) {
            Set<String> families = new TreeSet<>();
            series.forEach(s -> families.add(family(s)));
            return families;
        }

        /** Names followed by a label matcher ({{args.*}} placeholders stand for matchers). */
        static Set<String> selectedNames(String query) {
            Set<String> names = new TreeSet<>();
            Matcher m = SELECTOR.matcher(query.replaceAll("\\{\\{[^}]*}}", "x=\"y\""));
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }

        /** Identifiers outside matchers, strings and ranges that are no PromQL word: a series read bare. */
        static Set<String> bareIdentifiers(String query) {
            String outside = query.replaceAll("\\{\\{[^}]*}}", "")
                    .replaceAll("\"[^\"]*\"", "")
                    .replaceAll("\\[[^]]*]", "")
                    .replaceAll("\\{[^}]*}", "{}")
                    .replaceAll("\\b[a-zA-Z_:][a-zA-Z0-9_:]*\\s*\\{\\}", "");
            Set<String> bare = new TreeSet<>();
            Matcher m = IDENTIFIER.matcher(outside);
            while (m.find()) {
                if (!WORDS.contains(m.group())
                        && !m.group().matches("[eE]")
                        && !Character.isDigit(m.group().charAt(0))) {
                    bare.add(m.group());
                }
            }
            return bare;
        }
    }
}

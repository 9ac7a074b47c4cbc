package org.mlgateway.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kustomize overlays of kubernetes/, rendered the way a user renders them, offline.
 *
 * <p>What a clean clone holds (the files git tracks, plus new files not ignored yet) of kubernetes/,
 * grafana/dashboards, prometheus/rules and delivery/ is copied to a temporary folder; the Makefile's
 * own targets write the generated inputs there (`make k8s-secrets k8s-rules k8s-analysis
 * K8S_DIR=...`, the production certificate the self-signed one, as asked with K8S_SELF_SIGNED), so
 * neither a stale generated file nor a developer's real secrets in the checkout play any part; then
 * `kubectl kustomize` renders each overlay. Rendered once per test JVM.
 */
final class KubernetesManifests {

    static final List<String> OVERLAYS = List.of("dev", "production-deployment", "production", "production-shadow");
    /** The overlays that run api-v1 as an Argo Rollout. */
    static final List<String> ROLLOUT_OVERLAYS = List.of("production", "production-shadow");
    /** Where the copy and its rendering live, for checks that compare against the generated inputs. */
    static final Path WORK;

    private static final Map<String, List<Map<String, Object>>> RENDERED = new LinkedHashMap<>();

    static {
        try {
            WORK = cleanCopy();
            generate(WORK, WORK.resolve("delivery/canary.yaml"));
            for (String overlay : OVERLAYS) {
                RENDERED.put(overlay, render(WORK, overlay));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private KubernetesManifests() {}

    /** OVERLAYS, for a parameterized test's source. */
    static List<String> overlays() {
        return OVERLAYS;
    }

    /** The generated inputs of the copy in DIR: secrets (production's self-signed, as asked), rules, the analysis' objects. */
    static void generate(Path dir, Path analysis) throws IOException {
        run(
                StackEnv.projectRoot(),
                300,
                "make",
                "-s",
                "k8s-secrets",
                "k8s-rules",
                "k8s-analysis",
                "K8S_SELF_SIGNED=true",
                "K8S_DIR=" + dir.resolve("kubernetes"),
                "K8S_RULES=" + dir.resolve("prometheus/rules"),
                "CANARY_ANALYSIS=" + analysis);
    }

    /** Renders OVERLAY of the copy in DIR. */
    static List<Map<String, Object>> render(Path dir, String overlay) throws IOException {
        return parseAll(run(
                dir,
                120,
                Kubectl.path(),
                "kustomize",
                dir.resolve("kubernetes/overlays/" + overlay).toString()));
    }

    /** A fresh copy of what a clean clone holds of the folders the overlays read, in a new temporary folder. */
    static Path cleanCopy() throws IOException {
        Path dir = Files.createTempDirectory("k8s-render");
        copyCleanClone(StackEnv.projectRoot(), dir);
        return dir;
    }

    /** The objects that own a pod template: Deployments and Rollouts. */
    static List<Map<String, Object>> workloads(String overlay) {
        return objects(overlay).stream()
                .filter(o -> List.of("Deployment", "Rollout").contains(o.get("kind")))
                .toList();
    }

    /** The Deployment or Rollout NAME. */
    static Map<String, Object> workload(String overlay, String name) {
        return workloads(overlay).stream()
                .filter(o -> name.equals(name(o)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(overlay + " renders no Deployment or Rollout " + name));
    }

    /** Every object of one overlay, as Kustomize printed it. */
    static List<Map<String, Object>> objects(String overlay) {
        return Objects.requireNonNull(RENDERED.get(overlay), overlay);
    }

    static List<Map<String, Object>> ofKind(String overlay, String kind) {
        return objects(overlay).stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    static Map<String, Object> named(String overlay, String kind, String name) {
        return ofKind(overlay, kind).stream()
                .filter(o -> name.equals(name(o)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(overlay + " renders no " + kind + " " + name));
    }

    static String name(Map<String, Object> object) {
        return String.valueOf(map(object, "metadata").get("name"));
    }

    static String namespace(Map<String, Object> object) {
        return String.valueOf(map(object, "metadata").get("namespace"));
    }

    static String id(Map<String, Object> object) {
        return object.get("kind") + " " + namespace(object) + "/" + name(object);
    }

    /** The pod template of a Deployment or Rollout, with its labels and spec. */
    static Map<String, Object> podTemplate(Map<String, Object> deployment) {
        return map(map(deployment, "spec"), "template");
    }

    static Map<String, Object> podLabels(Map<String, Object> deployment) {
        return map(map(podTemplate(deployment), "metadata"), "labels");
    }

    static List<Map<String, Object>> containers(Map<String, Object> deployment) {
        return list(map(podTemplate(deployment), "spec"), "containers");
    }

    /** matchLabels (or a Service's plain selector) contained in labels; an empty selector selects all. */
    static boolean selects(Map<String, Object> selector, Map<String, Object> labels) {
        return labels.entrySet().containsAll(selector.entrySet());
    }

    static List<String> yamlDocuments(Path file) throws IOException {
        List<String> docs = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(Files.readString(file))) {
            docs.add(String.valueOf(doc));
        }
        return docs;
    }

    static Object loadYaml(String text) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    private static List<Map<String, Object>> parseAll(String yaml) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
            if (doc != null) {
                objects.add(cast(doc));
            }
        }
        return Collections.unmodifiableList(objects);
    }

    /** The files of these folders that a clone would have: tracked, or new and not ignored. */
    private static void copyCleanClone(Path root, Path target) throws IOException {
        String files = run(
                root,
                60,
                "git",
                "ls-files",
                "--cached",
                "--others",
                "--exclude-standard",
                "-z",
                "--",
                "kubernetes",
                "grafana/dashboards",
                "prometheus/rules",
                "delivery");
        for (String file : files.split("\0")) {
            Path source = root.resolve(file);
            if (file.isEmpty() || !Files.isRegularFile(source)) {
                continue; // deleted in the working tree
            }
            Path copy = target.resolve(file);
            Files.createDirectories(copy.getParent());
            Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Runs a command in DIR, returns its standard output; fails with its errors and output on a non-zero exit. */
    static String run(Path dir, int timeoutSeconds, String... command) {
        return Command.of(command)
                .in(dir)
                .timeout(Duration.ofSeconds(timeoutSeconds))
                .errorsApart()
                .succeeds();
    }

    @SuppressWarnings("unchecked")
    static <T> T cast(Object value) {
        return (T) value;
    }

    static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        return value == null ? Map.of() : cast(value);
    }

    static List<Map<String, Object>> list(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        return value == null ? List.of() : cast(value);
    }

    /** kubectl with a Kustomize that reads these kustomizations (v5: labels, replicas, patches by target). */
    static final class Kubectl {
        private static final Pattern KUSTOMIZE = Pattern.compile("Kustomize Version: v(\\d+)\\.");
        static final int MIN_KUSTOMIZE_MAJOR = 5;
        private static final String HOW = "Install kubectl 1.27 or newer (it embeds Kustomize v5): as root "
                + "`apt-get install kubernetes-client` where Debian's is that new, otherwise the kubectl package "
                + "of https://pkgs.k8s.io or the binary from https://dl.k8s.io (docs/kubernetes.md).";

        private Kubectl() {}

        static String path() throws IOException {
            if (!onPath()) {
                if (!"0".equals(run(Path.of("/"), 10, "id", "-u").trim())) {
                    throw new AssertionError("kubectl is not installed and this user cannot install it. " + HOW);
                }
                run(Path.of("/"), 600, "apt-get", "update", "-q");
                run(
                        Path.of("/"),
                        600,
                        "env",
                        "DEBIAN_FRONTEND=noninteractive",
                        "apt-get",
                        "install",
                        "-y",
                        "-q",
                        "kubernetes-client");
            }
            String version = run(Path.of("/"), 30, "kubectl", "version", "--client");
            Matcher m = KUSTOMIZE.matcher(version);
            if (!m.find() || Integer.parseInt(m.group(1)) < MIN_KUSTOMIZE_MAJOR) {
                throw new AssertionError(
                        "kubectl's Kustomize is older than v" + MIN_KUSTOMIZE_MAJOR + ":\n" + version + HOW);
            }
            return "kubectl";
        }

        private static boolean onPath() {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"))) {
                    return true;
                }
            }
            return false;
        }
    }
}

package org.mlgateway.delivery;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * The delivery analysis on the command line; scripts/lib/analysis.sh runs it. Every command first
 * checks FILE: each problem on one line, exit 1, nothing written.
 *
 * <pre>
 *   check FILE                                   the file's settings and gates, as a run would use them
 *   queries FILE PHASE WINDOW CHAMPION VERSION   per gate and kind (query, requests, judged): the PromQL a check sends
 *   kubernetes FILE K8S_DIR                      the Argo Rollouts objects, written into K8S_DIR's components
 *   ab-report CHAMPION_DIR... -- CANDIDATE_DIR...  two models compared from their prediction logs (no FILE)
 *   canary-run FILE WAR VERSION CHAMPION_VERSION  a make canary run of WAR (model VERSION): exit 0 promoted,
 *                                                3 rolled back, 1 on an error, 130 or 143 when interrupted
 *   canary-init                                  at stack start: a run under way is over (no FILE)
 *   canary-status                                where the last run stands (no FILE)
 * </pre>
 *
 * The canary commands find the stack in the environment scripts/canary.sh gives them ({@link CanaryRun.Stack}).
 */
public final class Main {

    private static final String USAGE = "usage: check FILE | queries FILE PHASE WINDOW CHAMPION_WINDOW VERSION"
            + " | kubernetes FILE K8S_DIR | ab-report CHAMPION_DIR... -- CANDIDATE_DIR..."
            + " | canary-run FILE WAR VERSION CHAMPION_VERSION | canary-init | canary-status";

    private Main() {}

    public static void main(String[] args) throws IOException {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        int split = List.of(args).indexOf("--");
        if (args.length > 0 && args[0].equals("ab-report") && split > 1 && split < args.length - 1) {
            return AbReport.run(paths(args, 1, split), paths(args, split + 1, args.length), out, err);
        }
        if (args.length == 1 && List.of("canary-init", "canary-status").contains(args[0])) {
            CanaryState state = CanaryRun.Stack.state(System.getenv());
            if (args[0].equals("canary-init")) {
                state.afterRestart().save();
            } else {
                state.status().forEach(out::println);
            }
            return 0;
        }
        if (args.length < 2 || args[0].equals("ab-report")) {
            err.println(USAGE);
            return 2;
        }
        Path path = Path.of(args[1]);
        if (!Files.isRegularFile(path)) {
            err.println("ERROR: no delivery analysis at " + path + " (CANARY_ANALYSIS)");
            return 1;
        }
        AnalysisFile file;
        try {
            file = AnalysisFile.load(path);
        } catch (IllegalArgumentException e) {
            err.println("ERROR: " + path + " is " + e.getMessage());
            return 1;
        }
        List<String> problems = file.problems();
        if (!problems.isEmpty()) {
            err.println("ERROR: " + path + " has problems:\n  - " + String.join("\n  - ", problems));
            return 1;
        }
        switch (args[0] + "/" + args.length) {
            case "check/2" -> check(file, path, out);
            case "queries/6" -> queries(file, args[2], file.runArgs(args[3], args[4], args[5]), out);
            case "kubernetes/3" -> kubernetes(file, args[1], Path.of(args[2]), out);
            case "canary-run/5" -> {
                CanaryRun run = new CanaryRun(file, path, CanaryRun.Stack.fromEnvironment(System.getenv()), out);
                return run.onSignals().run(Path.of(args[2]), args[3], args[4]);
            }
            default -> {
                err.println(USAGE);
                return 2;
            }
        }
        return 0;
    }

    private static List<Path> paths(String[] args, int from, int to) {
        return List.of(args).subList(from, to).stream().map(Path::of).toList();
    }

    private static void check(AnalysisFile file, Path path, PrintStream out) {
        out.printf(
                "    ok   %s: shadow %d %% for %ds, then steps %s %% of %ds each; gates checked every %ds:%n",
                path,
                file.mirrorPercent(),
                file.shadowSeconds(),
                file.weights().stream().map(String::valueOf).collect(Collectors.joining(" ")),
                file.stepSeconds(),
                file.checkSeconds());
        file.gates()
                .forEach(g -> out.printf(
                        "      %s %s %s %s once %d requests%n",
                        g.phase(), g.name(), g.op(), g.thresholdText(), g.minRequests()));
    }

    private static void queries(AnalysisFile file, String phase, Map<String, String> args, PrintStream out) {
        for (Gate g : file.gates(phase)) {
            for (String kind : List.of("query", "requests", "judged")) {
                out.println(
                        g.name() + "\t" + kind + "\t" + AnalysisFile.oneLine(AnalysisFile.fill(g.queryOf(kind), args)));
            }
        }
    }

    /**
     * The generated inputs of kubernetes/ (.gitignore), each in the folder that uses it:
     * components/argo-rollouts/generated/ the AnalysisTemplates and the Rollout's steps;
     * components/shadow/generated/ the gateway's mirror share and the shadow AnalysisRun.
     */
    private static void kubernetes(AnalysisFile file, String source, Path k8s, PrintStream out) throws IOException {
        Path component = k8s.resolve("components/argo-rollouts/generated");
        Path shadow = k8s.resolve("components/shadow/generated");
        int replicas = productionReplicas(k8s);
        ArgoObjects objects = new ArgoObjects(file);
        String header = "# Generated by make k8s-analysis from " + source + ": not committed, do not edit.\n";
        String precision = objects.precision(replicas);
        write(component.resolve("analysis-templates.yaml"), header, objects.templates());
        write(
                component.resolve("canary-steps.yaml"),
                header
                        + "# Precision: the gateway balances over the pods, so a weight is the share of pods that are the\n"
                        + "# candidate's. With " + replicas + " replicas (components/production) and maxSurge 1, Argo"
                        + " Rollouts places\n# " + precision + "\n",
                List.of(objects.steps()));
        write(shadow.resolve("gateway-mirror.yaml"), header, List.of(objects.mirror()));
        write(shadow.resolve("shadow-analysisrun.yaml"), header, List.of(objects.shadowRun()));
        out.println("    ok   Argo Rollouts objects from " + source + ": " + component + ", " + shadow);
        out.println("    weights " + precision);
    }

    /** The api-v1 replicas of the production overlays (components/production/kustomization.yaml). */
    private static int productionReplicas(Path k8s) throws IOException {
        Map<?, ?> kustomization = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(Files.readString(k8s.resolve("components/production/kustomization.yaml")));
        return ((List<?>) kustomization.get("replicas"))
                .stream()
                        .map(r -> (Map<?, ?>) r)
                        .filter(r -> "api-v1".equals(r.get("name")))
                        .map(r -> ((Number) r.get("count")).intValue())
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("components/production sets no api-v1 replicas"));
    }

    /** DOCUMENTS as YAML after HEADER, written whole or not at all. */
    private static void write(Path target, String header, List<Map<String, Object>> documents) throws IOException {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setWidth(100_000);
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(options), options);
        StringBuilder text = new StringBuilder(header);
        documents.forEach(d -> text.append("---\n").append(yaml.dump(d)));
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

package org.mlgateway.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * The delivery analysis file (delivery/canary.yaml) as the tests read and vary it: a test changes a
 * copy (a threshold, shorter phases) and points make canary or make k8s-analysis at the copy, never
 * at an edited original.
 */
final class DeliveryAnalysis {

    static final Path FILE = StackEnv.projectRoot().resolve("delivery/canary.yaml");

    private DeliveryAnalysis() {}

    /** The committed file, parsed (anchors resolved). */
    static Map<String, Object> load() {
        try {
            return KubernetesManifests.cast(
                    new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(FILE)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of the committed file with CHANGE applied, written to TARGET. */
    static Path variant(Path target, Consumer<Map<String, Object>> change) throws IOException {
        Map<String, Object> analysis = load();
        change.accept(analysis);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setWidth(4096);
        Files.createDirectories(target.getParent());
        Files.writeString(
                target,
                new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(options), options).dump(analysis));
        return target;
    }

    static List<Map<String, Object>> gates(Map<String, Object> analysis) {
        return KubernetesManifests.list(analysis, "gates");
    }

    /** The gate NAME of PHASE. */
    static Map<String, Object> gate(Map<String, Object> analysis, String phase, String name) {
        return gates(analysis).stream()
                .filter(g -> phase.equals(g.get("phase")) && name.equals(g.get("name")))
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError("delivery/canary.yaml has no gate " + name + " in phase " + phase));
    }

    static Map<String, Object> section(Map<String, Object> analysis, String key) {
        return KubernetesManifests.map(analysis, key);
    }
}

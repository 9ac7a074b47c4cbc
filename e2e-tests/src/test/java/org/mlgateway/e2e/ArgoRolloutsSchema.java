package org.mlgateway.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Argo Rollouts' own schema, offline: e2e-tests/argo-rollouts-schema (validate.mjs with the npm
 * package @kubernetes-models/argo-rollouts, generated from Argo Rollouts' CRDs, and TypeScript for
 * unknown fields), installed by `npm ci` from the committed lockfile into target/ on first use, and
 * again only when the lockfile changes. Needs node and npm: as root, Debian's nodejs and npm are
 * installed when missing.
 */
final class ArgoRolloutsSchema {

    private static final Path SOURCE = StackEnv.projectRoot().resolve("e2e-tests/argo-rollouts-schema");
    private static final Path WORK = StackEnv.projectRoot().resolve("e2e-tests/target/argo-rollouts-schema");
    private static final List<String> FILES = List.of("package.json", "package-lock.json", "validate.mjs");

    private ArgoRolloutsSchema() {}

    /** Validates OBJECTS; the validator's report (one line per problem) and exit code. */
    static synchronized Command.Result validate(List<Map<String, Object>> objects)
            throws IOException, InterruptedException {
        install();
        Path input = Files.createTempFile(WORK, "objects", ".json");
        new ObjectMapper().writeValue(input.toFile(), objects);
        return Command.of("node", "validate.mjs", input.toString())
                .in(WORK)
                .timeout(Duration.ofSeconds(180))
                .run();
    }

    private static void install() throws IOException, InterruptedException {
        Files.createDirectories(WORK);
        for (String file : FILES) {
            Files.copy(SOURCE.resolve(file), WORK.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        Path stamp = WORK.resolve("node_modules/.installed-from-lock");
        String lock = Files.readString(WORK.resolve("package-lock.json"));
        if (Files.exists(stamp) && Files.readString(stamp).equals(lock)) {
            return;
        }
        requireNode();
        KubernetesManifests.run(WORK, 600, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
        Files.writeString(stamp, lock);
    }

    private static void requireNode() throws IOException {
        if (onPath("node") && onPath("npm")) {
            return;
        }
        if (!"0".equals(KubernetesManifests.run(Path.of("/"), 10, "id", "-u").trim())) {
            throw new AssertionError(
                    "node and npm are needed for Argo Rollouts' schema: as root, apt-get install nodejs npm");
        }
        KubernetesManifests.run(Path.of("/"), 600, "apt-get", "update", "-q");
        KubernetesManifests.run(
                Path.of("/"),
                1200,
                "env",
                "DEBIAN_FRONTEND=noninteractive",
                "apt-get",
                "install",
                "-y",
                "-q",
                "nodejs",
                "npm");
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}

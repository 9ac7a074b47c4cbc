package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Everything the container deployment takes from the repository is there: bind-mounted files and
 * folders, build contexts, Dockerfiles and what they COPY. The WARs are the one exception: Maven
 * builds them, so their names must be the ones the Maven build gives them.
 */
class ComposeFilesTest {

    private final ComposeProject compose = new ComposeProject();

    /**
     * stack.env is the one source of the settings: scripts/compose.sh hands it to Compose as its
     * --env-file (an environment variable still wins: ComposeCliConfigTest), so a default written in
     * docker-compose.yml only matters for a bare `docker compose` and must say the same.
     */
    @Test
    void everyDefaultOfASettingIsItsStackEnvValue() throws IOException {
        Map<String, String> settings = StackEnv.readStackEnv();
        Matcher variable = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)}")
                .matcher(Files.readString(compose.root.resolve("docker-compose.yml")));
        List<String> different = new ArrayList<>();
        while (variable.find()) {
            String name = variable.group(1);
            if (settings.containsKey(name) && !settings.get(name).equals(variable.group(2))) {
                different.add(variable.group() + " (stack.env: " + settings.get(name) + ")");
            }
        }
        assertTrue(different.isEmpty(), "defaults that differ from stack.env: " + different);
    }

    @Test
    void everyBindMountSourceExists() {
        List<String> missing = new ArrayList<>();
        compose.services()
                .forEach((name, service) -> ComposeProject.mounts(service).stream()
                        .filter(ComposeProject.Mount::bind)
                        .forEach(mount -> {
                            if (!Files.exists(compose.root.resolve(mount.source()))) {
                                missing.add(name + ": " + mount.source());
                            }
                        }));
        assertTrue(missing.isEmpty(), "mounted paths missing from the repository: " + missing);
    }

    @Test
    void namedVolumesAreDeclared() {
        Set<String> declared = ComposeProject.map(compose.file, "volumes").keySet();
        Set<String> undeclared = new TreeSet<>();
        compose.services()
                .forEach((name, service) -> ComposeProject.mounts(service).stream()
                        .filter(mount -> !mount.bind() && !declared.contains(mount.source()))
                        .forEach(mount -> undeclared.add(name + ": " + mount.source())));
        assertTrue(undeclared.isEmpty(), "named volumes not declared under volumes: " + undeclared);
    }

    @Test
    void everyBuildContextAndDockerfileExists() {
        compose.services()
                .forEach((name, service) -> compose.build(service).ifPresent(build -> {
                    assertTrue(Files.isDirectory(build.context()), name + " build context " + build.context());
                    assertTrue(Files.isRegularFile(build.dockerfile()), name + " Dockerfile " + build.dockerfile());
                }));
    }

    /** Every Dockerfile of the project: the ones Compose builds and the Kubernetes gateway's. */
    private Map<Path, Map<String, String>> dockerfiles() {
        Map<Path, Map<String, String>> dockerfiles = new java.util.LinkedHashMap<>();
        compose.services()
                .forEach((name, service) ->
                        compose.build(service).ifPresent(build -> dockerfiles.put(build.dockerfile(), build.args())));
        dockerfiles.put(compose.root.resolve("kubernetes/gateway/Dockerfile"), Map.of());
        return dockerfiles;
    }

    /**
     * Every COPY and ADD source exists, and the build context (the repository root, filtered by
     * .dockerignore) lets it through; the Maven-built files (in target/) are checked below.
     */
    @Test
    void everyFileADockerfileCopiesIsInTheBuildContext() throws IOException {
        List<String> missing = new ArrayList<>();
        DockerIgnore ignore = new DockerIgnore(compose.root.resolve(".dockerignore"));
        dockerfiles().forEach((dockerfile, args) -> {
            var instructions = ComposeProject.instructions(dockerfile);
            for (var instruction : instructions) {
                if (!Set.of("COPY", "ADD").contains(instruction.keyword())
                        || instruction.arguments().contains("--from=")) {
                    continue;
                }
                List<String> words = new ArrayList<>(
                        Arrays.asList(ComposeProject.substituteArgs(instruction.arguments(), instructions, args)
                                .split("\\s+")));
                words.removeIf(word -> word.startsWith("--"));
                for (String source : words.subList(0, words.size() - 1)) {
                    String where = compose.root.relativize(dockerfile) + ": " + source;
                    if (ignore.excludes(source.replaceAll("/$", ""))) {
                        missing.add(where + " (excluded by .dockerignore)");
                    } else if (!source.contains("/target/") && !Files.exists(compose.root.resolve(source))) {
                        missing.add(where);
                    }
                }
            }
        });
        assertTrue(missing.isEmpty(), "COPY sources missing from the build context: " + missing);
        assertTrue(
                ignore.excludes("state/liberty/wlp/lib/x.jar") && ignore.excludes("ml-api-war/target/liberty/wlp"),
                "the state folder and Maven's Liberty servers stay out of the build context");
    }

    /**
     * .dockerignore as Docker reads it: each line a path pattern (* within one folder, ** across
     * folders) that matches a path or one of its parent folders; the last matching line decides, and
     * a line starting with ! lets the path in again.
     */
    static final class DockerIgnore {
        private final List<Map.Entry<Pattern, Boolean>> rules = new ArrayList<>();

        DockerIgnore(Path file) throws IOException {
            for (String line : Files.exists(file) ? Files.readAllLines(file) : List.<String>of()) {
                String rule = line.strip();
                if (rule.isEmpty() || rule.startsWith("#")) {
                    continue;
                }
                boolean include = rule.startsWith("!");
                String glob = (include ? rule.substring(1) : rule).replaceAll("^/|/$", "");
                String regex = Pattern.quote(glob.replace("**", "\u0000"))
                        .replace("*", "\\E[^/]*\\Q")
                        .replace("?", "\\E[^/]\\Q")
                        .replace("\u0000", "\\E.*\\Q");
                rules.add(Map.entry(Pattern.compile(regex), include));
            }
        }

        boolean excludes(String path) {
            boolean excluded = false;
            for (var rule : rules) {
                for (String prefix = path;
                        !prefix.isEmpty();
                        prefix = prefix.contains("/") ? prefix.substring(0, prefix.lastIndexOf('/')) : "") {
                    if (rule.getKey().matcher(prefix).matches()) {
                        excluded = !rule.getValue();
                        break;
                    }
                }
            }
            return excluded;
        }
    }

    @Test
    void theApiImagesCopyTheWarsThatMavenBuilds() throws IOException {
        Path dockerfile = compose.root.resolve("docker/api/Dockerfile");
        List<String> warCopies = ComposeProject.instructions(dockerfile).stream()
                .filter(i -> i.keyword().equals("COPY") && i.arguments().contains(".war"))
                .map(ComposeProject.Instruction::arguments)
                .toList();
        assertEquals(
                List.of(
                        "ml-api-war/target/ml-api-${VARIANT}.war /opt/ol/wlp/usr/servers/defaultServer/apps/ml-api.war"),
                warCopies);

        String pom = Files.readString(compose.root.resolve("ml-api-war/pom.xml"));
        assertTrue(
                pom.contains("<finalName>ml-api-${api.variant}</finalName>"),
                "ml-api-war/pom.xml must name the WAR ml-api-${api.variant}");
        Set<String> mavenVariants = new TreeSet<>();
        Matcher profile =
                Pattern.compile("<api\\.variant>([^<]+)</api\\.variant>").matcher(pom);
        while (profile.find()) {
            mavenVariants.add(profile.group(1));
        }

        Map<String, String> expected = Map.of("api-v1", "v1", "api-v2", "v2");
        expected.forEach((service, variant) -> {
            var build = compose.build(compose.service(service))
                    .orElseThrow(() -> new AssertionError(service + " has no build"));
            assertEquals(dockerfile, build.dockerfile(), service + " dockerfile");
            assertEquals(compose.root, build.context(), service + " builds from the repository root");
            assertEquals(variant, build.args().get("VARIANT"), service + " build arg VARIANT");
            assertTrue(mavenVariants.contains(variant), "no Maven profile builds api.variant " + variant);
        });
    }

    @Test
    void theDockerignoreLetsTheMavenBuiltFilesThrough() throws IOException {
        DockerIgnore ignore = new DockerIgnore(compose.root.resolve(".dockerignore"));
        for (String built : List.of(
                "ml-api-war/target/ml-api-v1.war",
                "ml-api-war/target/ml-api-v2.war",
                "ml-api-war/target/liberty-runtime.tar.gz")) {
            assertTrue(!ignore.excludes(built), ".dockerignore hides " + built);
        }
        assertTrue(ignore.excludes("ml-api-war/target/classes/x.class"), "the rest of target/ stays out");
    }
}

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
     * --env-file (an environment variable still wins), so a default written in docker-compose.yml
     * only matters for a bare `docker compose` and must say the same.
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
        assertTrue(Files.readString(compose.root.resolve("scripts/compose.sh")).contains("--env-file stack.env"),
                "scripts/compose.sh gives Compose stack.env as its env file");
    }

    @Test
    void everyBindMountSourceExists() {
        List<String> missing = new ArrayList<>();
        compose.services().forEach((name, service) -> ComposeProject.mounts(service).stream()
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
        compose.services().forEach((name, service) -> ComposeProject.mounts(service).stream()
                .filter(mount -> !mount.bind() && !declared.contains(mount.source()))
                .forEach(mount -> undeclared.add(name + ": " + mount.source())));
        assertTrue(undeclared.isEmpty(), "named volumes not declared under volumes: " + undeclared);
    }

    @Test
    void everyBuildContextAndDockerfileExists() {
        compose.services().forEach((name, service) -> compose.build(service).ifPresent(build -> {
            assertTrue(Files.isDirectory(build.context()), name + " build context " + build.context());
            assertTrue(Files.isRegularFile(build.dockerfile()), name + " Dockerfile " + build.dockerfile());
        }));
    }

    @Test
    void everyFileADockerfileCopiesExistsExceptTheMavenBuiltWars() {
        List<String> missing = new ArrayList<>();
        compose.services().forEach((name, service) -> compose.build(service).ifPresent(build -> {
            var instructions = ComposeProject.instructions(build.dockerfile());
            for (var instruction : instructions) {
                if (!Set.of("COPY", "ADD").contains(instruction.keyword()) || instruction.arguments().contains("--from=")) {
                    continue;
                }
                List<String> words = new ArrayList<>(Arrays.asList(
                        ComposeProject.substituteArgs(instruction.arguments(), instructions, build.args()).split("\\s+")));
                words.removeIf(word -> word.startsWith("--"));
                for (String source : words.subList(0, words.size() - 1)) {
                    if (source.contains("/target/")) {
                        continue; // built by Maven: checked against the pom below
                    }
                    if (!Files.exists(build.context().resolve(source))) {
                        missing.add(name + " (" + compose.root.relativize(build.dockerfile()) + "): " + source);
                    }
                }
            }
        }));
        assertTrue(missing.isEmpty(), "COPY sources missing from the build context: " + missing);
    }

    @Test
    void theApiImagesCopyTheWarsThatMavenBuilds() throws IOException {
        Path dockerfile = compose.root.resolve("ml-api-war/Dockerfile");
        List<String> warCopies = ComposeProject.instructions(dockerfile).stream()
                .filter(i -> i.keyword().equals("COPY") && i.arguments().contains(".war"))
                .map(ComposeProject.Instruction::arguments).toList();
        assertEquals(List.of("--chown=1001:0 ml-api-war/target/ml-api-${VARIANT}.war /config/apps/ml-api.war"), warCopies);

        String pom = Files.readString(compose.root.resolve("ml-api-war/pom.xml"));
        assertTrue(pom.contains("<finalName>ml-api-${api.variant}</finalName>"),
                "ml-api-war/pom.xml must name the WAR ml-api-${api.variant}");
        Set<String> mavenVariants = new TreeSet<>();
        Matcher profile = Pattern.compile("<api\\.variant>([^<]+)</api\\.variant>").matcher(pom);
        while (profile.find()) {
            mavenVariants.add(profile.group(1));
        }

        Map<String, String> expected = Map.of("api-v1", "v1", "api-v2", "v2");
        expected.forEach((service, variant) -> {
            var build = compose.build(compose.service(service)).orElseThrow(() -> new AssertionError(service + " has no build"));
            assertEquals(compose.root.resolve("ml-api-war/Dockerfile"), build.dockerfile(), service + " dockerfile");
            assertEquals(compose.root, build.context(), service + " builds from the repository root");
            assertEquals(variant, build.args().get("VARIANT"), service + " build arg VARIANT");
            assertTrue(mavenVariants.contains(variant), "no Maven profile builds api.variant " + variant);
        });
    }

    @Test
    void noDockerignoreHidesTheWars() throws IOException {
        // A .dockerignore that excluded target/ would hide the WARs from the API build.
        Path ignore = compose.root.resolve(".dockerignore");
        if (Files.exists(ignore)) {
            for (String line : Files.readAllLines(ignore)) {
                String rule = line.strip();
                assertTrue(rule.startsWith("#") || rule.startsWith("!") || !(rule.equals("target") || rule.contains("target/")
                                || rule.equals("**/target") || rule.equals("*.war") || rule.equals("**/*.war")),
                        ".dockerignore rule hides the WARs: " + rule);
            }
        }
    }
}

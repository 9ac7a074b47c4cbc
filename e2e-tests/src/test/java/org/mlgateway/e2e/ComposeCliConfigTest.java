package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Compose's own reading of docker-compose.yml, through the project's `compose` function
 * (scripts/lib/engine.sh), with whichever Compose is installed: the v2 plugin or Debian's
 * docker-compose 1.29 (`config` needs no engine). The settings reach the file from stack.env, and an
 * environment variable of the same name wins. Skipped where no Compose is installed, except in the
 * container tests (RUNTIME=docker), whose start installed one.
 */
class ComposeCliConfigTest {

    /**
     * `compose config` as scripts/compose.sh runs it, in a copy of the files it reads whose stack.env
     * says RATE_LIMIT=123 (so a value that only the env file can bring); RATE_LIMIT is unset in the
     * environment, then the given settings are added.
     */
    private static Command.Result config(Map<String, String> settings) throws IOException {
        Path copy = Files.createTempDirectory("compose-config");
        Path root = StackEnv.projectRoot();
        Files.createDirectories(copy.resolve("scripts/lib"));
        try (var libs = Files.list(root.resolve("scripts/lib"))) {
            for (Path lib : libs.toList()) {
                Files.copy(lib, copy.resolve("scripts/lib").resolve(lib.getFileName()));
            }
        }
        Files.copy(root.resolve("docker-compose.yml"), copy.resolve("docker-compose.yml"));
        Files.writeString(
                copy.resolve("stack.env"),
                Files.readString(root.resolve("stack.env"))
                        .replaceAll("(?m)^RATE_LIMIT=.*$", "RATE_LIMIT=" + FROM_STACK_ENV));
        StringBuilder command =
                new StringBuilder("cd " + copy + " && env -u RATE_LIMIT COMPOSE_SECRETS_DIR=/nonexistent");
        settings.forEach((k, v) -> command.append(' ').append(k).append('=').append(v));
        command.append(
                " bash -c 'for l in settings progress packages engine; do source scripts/lib/$l.sh; done; compose config'");
        return Containers.run(120, List.of("bash", "-c", command.toString()));
    }

    private static final String FROM_STACK_ENV = "123";

    private static boolean installed(String... command) {
        try {
            return Containers.run(30, List.of(command)).exitCode() == 0;
        } catch (AssertionError noSuchProgram) {
            return false;
        }
    }

    @Test
    void composeReadsTheFileWithTheSettingsOfStackEnv() throws IOException {
        boolean compose = installed("docker", "compose", "version") || installed("docker-compose", "version");
        assumeTrue(
                compose || StackEnv.containers(),
                "No Compose here (docker compose, docker-compose): Compose's own reading is"
                        + " skipped; the other Compose*Test classes check the file statically.");
        Command.Result defaults = config(Map.of());
        assertEquals(0, defaults.exitCode(), defaults.output());
        assertTrue(
                defaults.output().matches("(?s).*RATE_LIMIT: ['\"]?" + FROM_STACK_ENV + "['\"]?\n.*"),
                "RATE_LIMIT comes from stack.env (" + FROM_STACK_ENV + "):\n" + defaults.output());
        assertFalse(
                defaults.output().lines().anyMatch(l -> l.startsWith("name:")),
                "no top-level name: (Compose 1.29 rejects it)");

        Command.Result overridden = config(Map.of("RATE_LIMIT", "7"));
        assertEquals(0, overridden.exitCode(), overridden.output());
        assertTrue(
                overridden.output().matches("(?s).*RATE_LIMIT: ['\"]?7['\"]?\n.*"),
                "an environment variable wins:\n" + overridden.output());
    }
}

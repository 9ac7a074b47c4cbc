package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    /** `compose config` with RATE_LIMIT unset in the environment, then the given settings. */
    private static Containers.Result config(Map<String, String> settings) {
        StringBuilder command = new StringBuilder("env -u RATE_LIMIT");
        settings.forEach((k, v) -> command.append(' ').append(k).append('=').append(v));
        command.append(" bash -c 'for l in settings progress packages engine; do source scripts/lib/$l.sh; done; compose config'");
        return Containers.run(120, List.of("bash", "-c", command.toString()));
    }

    private static boolean installed(String... command) {
        try {
            return Containers.run(30, List.of(command)).exitCode() == 0;
        } catch (AssertionError noSuchProgram) {
            return false;
        }
    }

    @Test
    void composeReadsTheFileWithTheSettingsOfStackEnv() {
        boolean compose = installed("docker", "compose", "version") || installed("docker-compose", "version");
        assumeTrue(compose || StackEnv.containers(), "No Compose here (docker compose, docker-compose): Compose's own reading is"
                + " skipped; the other Compose*Test classes check the file statically.");
        Containers.Result defaults = config(Map.of("COMPOSE_SECRETS_DIR", "/nonexistent"));
        assertEquals(0, defaults.exitCode(), defaults.output());
        String rate = StackEnv.readStackEnv().get("RATE_LIMIT");
        assertTrue(defaults.output().matches("(?s).*RATE_LIMIT: ['\"]?" + rate + "['\"]?\n.*"),
                "RATE_LIMIT comes from stack.env (" + rate + "):\n" + defaults.output());
        assertFalse(defaults.output().lines().anyMatch(l -> l.startsWith("name:")), "no top-level name: (Compose 1.29 rejects it)");

        Containers.Result overridden = config(Map.of("COMPOSE_SECRETS_DIR", "/nonexistent", "RATE_LIMIT", "7"));
        assertEquals(0, overridden.exitCode(), overridden.output());
        assertTrue(overridden.output().matches("(?s).*RATE_LIMIT: ['\"]?7['\"]?\n.*"), "an environment variable wins:\n" + overridden.output());
    }
}

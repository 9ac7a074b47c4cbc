package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Docker Compose's own validation of docker-compose.yml (`docker compose config` needs no engine).
 * Runs where the Compose v2 plugin is installed; skipped elsewhere (the old standalone
 * docker-compose 1.x predates parts of the Compose Specification the file uses), where the other
 * Compose*Test classes still check the file.
 */
class ComposeCliConfigTest {

    private record Result(int exitCode, String output) {
    }

    private static Optional<Result> run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command)
                    .directory(StackEnv.projectRoot().toFile())
                    .redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return Optional.of(new Result(process.exitValue(), output));
        } catch (IOException e) {
            return Optional.empty(); // no such program
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Test
    void composeAcceptsTheFile() {
        boolean plugin = run(List.of("docker", "compose", "version")).map(r -> r.exitCode() == 0).orElse(false);
        assumeTrue(plugin, "No Docker Compose plugin here (`docker compose version` fails):"
                + " Compose's own validation is skipped; the other Compose*Test classes check the file statically.");
        List<String> command = new ArrayList<>(List.of("docker", "compose", "-f", "docker-compose.yml", "config", "--quiet"));
        Result result = run(command).orElseThrow(() -> new AssertionError(command + " did not finish"));
        assertEquals(0, result.exitCode(), String.join(" ", command) + " says:\n" + result.output());
    }
}

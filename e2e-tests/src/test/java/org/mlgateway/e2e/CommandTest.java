package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tests' one way to run a program: exit code and output, input, environment and a timeout that holds. */
class CommandTest {

    @Test
    void givesTheExitCodeAndBothOutputStreamsInOrder() {
        Command.Result result = Command.of("bash", "-c", "echo out; echo err >&2; echo more; exit 3")
                .run();
        assertEquals(3, result.exitCode());
        assertEquals("out\nerr\nmore\n", result.output());
    }

    @Test
    void keepsTheErrorsApartWhenAskedAndShowsThemOnFailure() {
        Command.Result result = Command.of("bash", "-c", "echo out; echo err >&2; exit 3")
                .errorsApart()
                .run();
        assertEquals(new Command.Result(3, "out\n", "err\n"), result);
        AssertionError error = assertThrows(
                AssertionError.class,
                () -> Command.of("bash", "-c", "echo out; echo err >&2; exit 3")
                        .errorsApart()
                        .succeeds());
        assertTrue(error.getMessage().endsWith("failed (exit 3):\nerr\nout\n"), error.getMessage());
    }

    @Test
    void runsFromTheProjectRootOrTheFolderGiven(@TempDir Path dir) {
        assertEquals(StackEnv.projectRoot().toString() + "\n", Command.of("pwd").succeeds());
        assertEquals(dir + "\n", Command.of("pwd").in(dir).succeeds());
    }

    @Test
    void feedsTheInputAndOtherwiseAnEmptyOne() {
        assertEquals("a secret\n", Command.of("cat").input("a secret\n").succeeds());
        // Without input the program reads end of file at once instead of waiting for a terminal.
        assertEquals("", Command.of("cat").timeout(Duration.ofSeconds(10)).succeeds());
    }

    @Test
    void setsVariablesAndLeavesTheCallersStackSettingsOut() {
        assertTrue(StackEnv.readStackEnv().keySet().containsAll(java.util.List.of("RATE_LIMIT", "GATEWAY_USER")));
        String script = "echo ${RATE_LIMIT-unset} ${GATEWAY_USER-unset} ${PATH:+path}";
        assertEquals(
                "7 unset path\n",
                Command.of("bash", "-c", script)
                        .stackSettingsFromFile()
                        .env("RATE_LIMIT", "7")
                        .succeeds());
    }

    @Test
    void killsAProgramThatOutlivesTheTimeoutWithItsChildrenAndShowsItsOutput(@TempDir Path dir) throws Exception {
        Path pid = dir.resolve("child.pid");
        AssertionError error = assertThrows(
                AssertionError.class,
                () -> Command.of("bash", "-c", "echo started; sleep 60 & echo $! > " + pid + "; wait")
                        .timeout(Duration.ofSeconds(2))
                        .run());
        assertTrue(error.getMessage().contains("did not finish within 2 s"), error.getMessage());
        assertTrue(error.getMessage().contains("started"), error.getMessage());
        long child = Long.parseLong(Files.readString(pid).trim());
        // The kill is asynchronous: a child still alive 10 s later (its sleep runs 60) was not killed.
        Optional<ProcessHandle> handle = ProcessHandle.of(child);
        if (handle.isPresent()) {
            handle.get().onExit().get(10, TimeUnit.SECONDS);
        }
        assertFalse(handle.map(ProcessHandle::isAlive).orElse(false), "the child was killed");
    }

    @Test
    void succeedsFailsWithTheOutputOnANonZeroExit() {
        AssertionError error = assertThrows(
                AssertionError.class,
                () -> Command.of("bash", "-c", "echo why; exit 2").succeeds());
        assertEquals("bash -c echo why; exit 2 failed (exit 2):\nwhy\n", error.getMessage());
    }
}

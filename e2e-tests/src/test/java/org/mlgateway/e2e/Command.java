package org.mlgateway.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A program the tests run to its end, within a time limit that holds: its output goes to a file (a
 * pipe read blocks until the program ends, whatever the timeout), and a program that does not finish
 * in time is killed, with its children, and reported with what it printed. It runs from the project
 * root with this JVM's environment unless told otherwise; standard input is empty unless given.
 *
 * <pre>Command.of("make", "-s", "k8s-rules").env("K8S_DIR", dir.toString()).run()</pre>
 */
final class Command {

    /**
     * How a run ended: its exit code and its output, standard output and error interleaved, or
     * standard output alone with the errors apart (see {@link #errorsApart}).
     */
    record Result(int exitCode, String output, String errors) {
        Result(int exitCode, String output) {
            this(exitCode, output, "");
        }
    }

    private final List<String> command;
    private Path dir = StackEnv.projectRoot();
    private final Map<String, String> env = new HashMap<>();
    private boolean stackSettingsFromFile;
    private boolean errorsApart;
    private String input;
    private Duration timeout = Duration.ofSeconds(60);

    private Command(List<String> command) {
        this.command = List.copyOf(command);
    }

    static Command of(String... command) {
        return new Command(List.of(command));
    }

    static Command of(List<String> command) {
        return new Command(command);
    }

    Command in(Path directory) {
        this.dir = directory;
        return this;
    }

    Command env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Command env(Map<String, String> variables) {
        env.putAll(variables);
        return this;
    }

    /**
     * The program reads every stack.env setting from the file, not from whoever runs the build: the
     * file's keys are left out of the inherited environment (variables given by {@link #env} stay).
     */
    Command stackSettingsFromFile() {
        this.stackSettingsFromFile = true;
        return this;
    }

    /** Standard error apart from the output, which a caller parses (YAML, a list of files). */
    Command errorsApart() {
        this.errorsApart = true;
        return this;
    }

    /** Standard input: this text, then end of file. */
    Command input(String text) {
        this.input = text;
        return this;
    }

    Command timeout(Duration limit) {
        this.timeout = limit;
        return this;
    }

    /** Runs the program to its end; fails the test if it cannot start or outlives the timeout. */
    Result run() {
        try {
            File output = File.createTempFile("command", ".out");
            File errors = errorsApart ? File.createTempFile("command", ".err") : null;
            File stdin = input == null ? new File("/dev/null") : File.createTempFile("command", ".in");
            try {
                if (input != null) {
                    Files.writeString(stdin.toPath(), input, StandardCharsets.UTF_8);
                }
                ProcessBuilder builder = new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectOutput(output)
                        .redirectInput(stdin);
                if (errors != null) {
                    builder.redirectError(errors);
                } else {
                    builder.redirectErrorStream(true);
                }
                if (stackSettingsFromFile) {
                    builder.environment().keySet().removeIf(StackEnv.readStackEnv()::containsKey);
                }
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError(this + " did not finish within " + timeout.toSeconds() + " s:\n"
                            + read(errors) + read(output));
                }
                return new Result(process.exitValue(), read(output), read(errors));
            } finally {
                Files.deleteIfExists(output.toPath());
                if (errors != null) {
                    Files.deleteIfExists(errors.toPath());
                }
                if (input != null) {
                    Files.deleteIfExists(stdin.toPath());
                }
            }
        } catch (IOException e) {
            throw new AssertionError("could not run " + this, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + this, e);
        }
    }

    /** A captured stream: the file's text, or nothing when there is no file (errors not apart). */
    private static String read(File file) throws IOException {
        return file == null ? "" : Files.readString(file.toPath(), StandardCharsets.UTF_8);
    }

    /** Runs the program, which must exit 0; returns its output. */
    String succeeds() {
        Result result = run();
        if (result.exitCode() != 0) {
            throw new AssertionError(
                    this + " failed (exit " + result.exitCode() + "):\n" + result.errors() + result.output());
        }
        return result.output();
    }

    @Override
    public String toString() {
        return String.join(" ", command);
    }
}

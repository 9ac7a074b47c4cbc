package org.mlgateway.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The stack's API servers seen from the machine they run on: their names and ports (stack.env and
 * the environment, as for scripts/stack.sh), their processes (as the stack's supervisord reports
 * them), direct calls that bypass the gateway, and the stack's own scripts run as an operator would.
 */
final class StackServers {

    record Server(String name, int port) {
        String baseUrl() {
            return "http://127.0.0.1:" + port;
        }
    }

    private static final HttpClient DIRECT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();

    private StackServers() {}

    static List<Server> v1() {
        int replicas = StackEnv.intSetting("V1_REPLICAS");
        int base = StackEnv.intSetting("V1_BASE_PORT");
        List<Server> servers = new ArrayList<>();
        for (int i = 1; i <= replicas; i++) {
            servers.add(new Server("api-v1-" + i, base + i - 1));
        }
        return servers;
    }

    static Server v2() {
        return new Server("api-v2", StackEnv.intSetting("V2_PORT"));
    }

    /** The program's process as supervisord runs it (`scripts/stack.sh ctl pid NAME`): for a server, its JVM. */
    static ProcessHandle process(String program) throws IOException, InterruptedException {
        String answer = supervisorctl("pid", program).trim();
        if (!answer.matches("[1-9][0-9]*")) {
            throw new IllegalStateException(
                    program + " has no running process: supervisorctl pid answered '" + answer + "'");
        }
        long pid = Long.parseLong(answer);
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .orElseThrow(() -> new IllegalStateException(program + " (pid " + pid + ") is not running"));
    }

    static ProcessHandle process(Server server) throws IOException, InterruptedException {
        return process(server.name());
    }

    /** The CPU priorities (nice values) of a process's threads: Linux keeps one per thread. */
    static Set<Integer> threadNiceValues(ProcessHandle process) throws IOException {
        Set<Integer> values = new TreeSet<>();
        try (DirectoryStream<Path> threads =
                Files.newDirectoryStream(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
            for (Path thread : threads) {
                String stat;
                try {
                    stat = Files.readString(thread.resolve("stat"));
                } catch (IOException ended) {
                    continue; // the thread ended meanwhile
                }
                // proc(5): the thread's name in parentheses (it may hold spaces), then fields 3, 4...; nice is field
                // 19.
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                values.add(Integer.parseInt(fields[19 - 3]));
            }
        }
        return values;
    }

    /** supervisorctl on the stack's own supervisord (`scripts/stack.sh ctl ARGS`); its output, whatever its exit code. */
    static String supervisorctl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("scripts/stack.sh", "ctl"));
        command.addAll(List.of(args));
        return Command.of(command).run().output();
    }

    /** The program's supervisor state: RUNNING, STARTING, BACKOFF, FATAL, STOPPED... */
    static String supervisorState(String program) throws IOException, InterruptedException {
        String[] fields = supervisorctl("status", program).trim().split("\\s+");
        return fields.length > 1 ? fields[1] : "UNKNOWN";
    }

    static boolean ready(Server server) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/health/ready"))
                    .timeout(Duration.ofSeconds(5))
                    .build();
            return DIRECT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The model version a server answers with (X-Model-Version of a prediction sent to it directly). */
    static String modelVersion(Server server) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/predict"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sentence\": \"which model are you?\"}"))
                .build();
        HttpResponse<String> response = DIRECT.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(
                    server.name() + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.headers().firstValue("X-Model-Version").orElseThrow();
    }

    /**
     * The client predictions a server has answered: predictions_total over its labels, from its own
     * /metrics on loopback (warm-up requests are not counted). How tests see balancing and canary
     * shares: the gateway tells ordinary clients nothing of which server answered (docs/security.md).
     */
    static double predictions(Server server) throws IOException, InterruptedException {
        HttpResponse<String> metrics = DIRECT.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (metrics.statusCode() != 200) {
            throw new IllegalStateException(server.name() + " /metrics answered " + metrics.statusCode());
        }
        return metrics.body()
                .lines()
                .filter(l -> l.startsWith("predictions_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** {@link #predictions} of every v1 server and v2, by name. */
    static Map<String, Double> predictionsByServer() throws IOException, InterruptedException {
        Map<String, Double> counts = new java.util.TreeMap<>();
        List<Server> all = new ArrayList<>(v1());
        all.add(v2());
        for (Server server : all) {
            counts.put(server.name(), predictions(server));
        }
        return counts;
    }

    /** What each server answered between two {@link #predictionsByServer} readings. */
    static Map<String, Double> difference(Map<String, Double> after, Map<String, Double> before) {
        Map<String, Double> difference = new java.util.TreeMap<>();
        after.forEach((name, count) -> difference.put(name, count - before.getOrDefault(name, 0.0)));
        return difference;
    }

    /** The server's Liberty log (state/logs/liberty/NAME/messages.log). */
    static String messagesLog(Server server) throws IOException {
        return Files.readString(StackEnv.stateDir().resolve("logs/liberty/" + server.name() + "/messages.log"));
    }

    /** The application file a server runs (its copy in state/liberty/usr/servers/NAME/apps). */
    static Path deployedWar(Server server, String variant) {
        return StackEnv.stateDir().resolve("liberty/usr/servers/" + server.name() + "/apps/ml-api-" + variant + ".war");
    }

    /**
     * Runs a project script (e.g. scripts/stack.sh start) from the project root with this JVM's
     * environment (the stack's settings) plus extra variables; its output goes to a log file.
     * Returns the exit code.
     */
    static int runScript(Path log, Map<String, String> extraEnv, Duration timeout, String... command)
            throws IOException, InterruptedException {
        Process process = startScript(log, extraEnv, command);
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            throw new IllegalStateException(
                    String.join(" ", command) + " still runs after " + timeout + "; see " + log);
        }
        return process.exitValue();
    }

    /** As {@link #runScript}, but returns the started process without waiting for it. */
    static Process startScript(Path log, Map<String, String> extraEnv, String... command) throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(StackEnv.projectRoot().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(extraEnv);
        return builder.start();
    }

    /**
     * Every server is ready. One that supervisord is still starting or warming (a disruptive test
     * before this one restarted it) is waited for, up to READY_TIMEOUT, so one test's failure does
     * not fail the tests after it; one that is not running at all fails at once.
     */
    static void requireAllReady() throws IOException, InterruptedException {
        List<Server> all = new ArrayList<>(v1());
        all.add(v2());
        long deadline = System.nanoTime()
                + Duration.ofSeconds(StackEnv.intSetting("READY_TIMEOUT")).toNanos();
        for (Server server : all) {
            while (!ready(server)) {
                String state = supervisorState(server.name());
                if (!Set.of("RUNNING", "STARTING", "BACKOFF").contains(state) || System.nanoTime() > deadline) {
                    throw new IllegalStateException(server.name() + " is not ready on " + server.baseUrl()
                            + " (supervisord: " + state + "); start the stack first");
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
    }
}

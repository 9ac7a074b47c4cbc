package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The scripts that call the gateway with its credentials never put them on a command line, where any
 * user of the machine sees them (`ps`, /proc/PID/cmdline): while make bench runs (a short run: wrk
 * and curl through the gateway) and while requests go through the function test-space-path.sh uses
 * (gateway_curl) and rollout.sh's own gateway_predict, the command line of every process on the
 * machine is sampled every few milliseconds. The sampler is shown to see those programs, so a clean
 * result means something.
 */
class CredentialsOffCommandLinesIT {

    @Test
    void noCommandLineShowsTheGatewayCredentialsWhileScriptsUseThem() throws Exception {
        String pair = StackEnv.user() + ":" + StackEnv.password();
        List<String> secrets = new java.util.ArrayList<>(List.of(
                pair, Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)), "Authorization"));
        if (StackEnv.password().length() >= 8) {
            secrets.add(StackEnv.password());
        }
        Sampler sampler = new Sampler(secrets);
        Thread thread = new Thread(sampler, "cmdline-sampler");
        thread.setDaemon(true);
        thread.start();
        Path logs = StackEnv.stateDir().resolve("logs");
        boolean sampledThroughout;
        try {
            int bench = StackServers.runScript(
                    logs.resolve("credentials-it-bench.log"),
                    Map.of(
                            "BENCH_DURATION",
                            "2s",
                            "BENCH_WARMUP",
                            "0",
                            "BENCH_CONNECTIONS",
                            "4",
                            "BENCH_ORIGINAL",
                            "off",
                            "BENCH_JMH",
                            "off"),
                    Duration.ofMinutes(10),
                    "scripts/bench.sh",
                    "all");
            assertEquals(0, bench, Files.readString(logs.resolve("credentials-it-bench.log")));
            for (int i = 0; i < 20; i++) {
                // As the space-in-path test calls the gateway, and as make rollout does (its own function, sourced).
                String call = i % 2 == 0
                        ? "source scripts/lib/settings.sh && source scripts/lib/progress.sh && source scripts/lib/gateway.sh"
                                + " && gateway_curl -fsS -o /dev/null --cacert \"$CERT_DIR/gateway.crt\" -H 'Content-Type: application/json'"
                                + " -d '{\"sentence\": \"who can see my password?\"}' \"https://127.0.0.1:$GATEWAY_HTTPS_PORT/predict\""
                        : "source scripts/rollout.sh && gateway_predict";
                int curl = StackServers.runScript(
                        logs.resolve("credentials-it-curl.log"), Map.of(), Duration.ofSeconds(60), "bash", "-c", call);
                assertEquals(0, curl, Files.readString(logs.resolve("credentials-it-curl.log")));
                GatewayCalls.paceBelowRateLimit();
            }
        } finally {
            sampledThroughout = thread.isAlive();
            sampler.running.set(false);
            thread.join(10_000);
        }
        assertTrue(sampledThroughout, "the sampler ran until the scripts were done (else it proves nothing)");
        System.out.printf(
                "Command lines sampled %d times; programs seen: %s%n", sampler.rounds.get(), sampler.programs);
        assertTrue(
                sampler.programs.contains("wrk") && sampler.programs.contains("curl"),
                "the sampler saw wrk and curl run (else it proves nothing): " + sampler.programs);
        assertEquals(Set.of(), sampler.leaks, "command lines that held the gateway's credentials");
    }

    /** Reads /proc/PID/cmdline of every process, again and again, noting what it saw. */
    private static final class Sampler implements Runnable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger rounds = new AtomicInteger();
        final Set<String> programs = new ConcurrentSkipListSet<>();
        final Set<String> leaks = new ConcurrentSkipListSet<>();
        private final List<String> secrets;
        private final long self = ProcessHandle.current().pid();

        Sampler(List<String> secrets) {
            this.secrets = secrets;
        }

        @Override
        public void run() {
            while (running.get()) {
                try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
                    for (Path process : processes
                            .filter(p -> p.getFileName().toString().matches("\\d+"))
                            .toList()) {
                        if (process.getFileName().toString().equals(String.valueOf(self))) {
                            continue; // this JVM holds the secrets in memory, not on its command line
                        }
                        String cmdline = read(process.resolve("cmdline"));
                        if (cmdline.isEmpty()) {
                            continue;
                        }
                        String command = cmdline.split("\0", 2)[0]; // argv[0], which may be anything, even "/"
                        String program = command.substring(command.lastIndexOf('/') + 1);
                        if (program.equals("wrk") || program.equals("curl")) {
                            programs.add(program);
                        }
                        for (String secret : secrets) {
                            if (cmdline.contains(secret)) {
                                leaks.add(cmdline.replace('\0', ' '));
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // /proc changes while it is listed
                }
                rounds.incrementAndGet();
            }
        }

        private static String read(Path file) {
            try {
                return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            } catch (IOException gone) {
                return "";
            }
        }
    }
}

package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The start scripts check their settings before they write or start anything: `scripts/stack.sh
 * start` (and `scripts/compose.sh start`) with a bad value exits 1 with a message that names it,
 * and the state folder it was given is not even created. No stack is needed: the check comes first.
 * Also the gateway's listen address: loopback while the password is the default, every interface
 * once it is not, and a public address with the default password refused.
 */
class SettingsValidationTest {

    @TempDir
    Path temp;

    private record Run(int exit, String output) {
    }

    /** Runs a command in the repository with the given settings on top of a clean environment. */
    private Run run(Map<String, String> settings, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(StackEnv.projectRoot().toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        // The values of stack.env, not of whoever runs the build.
        env.keySet().removeIf(StackEnv.readStackEnv()::containsKey);
        env.remove("GATEWAY_PUBLISH_ADDRESS");
        env.put("STATE_DIR", temp.resolve("state").toString());
        env.putAll(settings);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "finished: " + String.join(" ", command));
        return new Run(process.exitValue(), output);
    }

    private void assertRefused(Map<String, String> settings, String expectedMessage, String... command) throws Exception {
        Run run = run(settings, command);
        assertEquals(1, run.exit(), settings + " is refused:\n" + run.output());
        assertTrue(run.output().contains(expectedMessage), "the message names the problem (" + expectedMessage + "):\n" + run.output());
        assertTrue(run.output().contains("nothing was written"), "the message says nothing changed:\n" + run.output());
        assertFalse(Files.exists(temp.resolve("state")), "nothing was written for " + settings + ":\n" + run.output());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "GATEWAY_USER|bad:user|GATEWAY_USER=bad:user is not a user name",
            "GATEWAY_USER|" + "u2345678901234567890123456789012345678901234567890123456789012345" + "|is not a user name",
            "ADMIN_USER|a b|ADMIN_USER=a\\ b is not a user name",
            "V1_REPLICAS|0|V1_REPLICAS=0 must be a number from 1 to 9",
            "API_WARM_UP_MAX_SECONDS|-1|API_WARM_UP_MAX_SECONDS=-1 must be a whole number of seconds",
            "API_WARM_UP_MAX_SECONDS|30s|API_WARM_UP_MAX_SECONDS=30s must be a whole number of seconds",
            "PREDICTION_LOG_TEXT|yes|PREDICTION_LOG_TEXT=yes must be true or false",
            "CANARY_PERCENT|101|CANARY_PERCENT=101 must be a whole number from 0 to 100",
            "SHADOW_PERCENT|-5|SHADOW_PERCENT=-5 must be a whole number from 0 to 100",
            "CANDIDATE_PORT|9084|port 9084 is given to two components",
            "V1_REPLICAS|10|V1_REPLICAS=10 must be a number from 1 to 9",
            "V1_REPLICAS|three|V1_REPLICAS=three must be a number from 1 to 9",
            "GATEWAY_HTTPS_PORT|70000|GATEWAY_HTTPS_PORT=70000 is not a port",
            "GATEWAY_HTTP_PORT|0|GATEWAY_HTTP_PORT=0 is not a port",
            "PROMETHEUS_PORT|90x|PROMETHEUS_PORT=90x is not a port",
            "V2_PORT|9081|port 9081 is given to two components",
            "GATEWAY_BIND|1.2.3|GATEWAY_BIND=1.2.3 is not an IPv4 address",
            "GATEWAY_BIND|0.0.0.0|GATEWAY_BIND=0.0.0.0 would open the gateway to the network with the default password",
            "GATEWAY_BIND|192.168.1.10|Set a password first: GATEWAY_PASSWORD=",
    })
    void aBadSettingStopsTheStartWithNothingWritten(String name, String value, String message) throws Exception {
        assertRefused(Map.of(name, value), message, "scripts/stack.sh", "start");
    }

    /**
     * make canary checks its analysis file (CANARY_ANALYSIS) before it starts anything: each problem
     * named, exit 1, and no state written.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "weights not rising|canary.weights must be rising whole percentages from 1 to 100, the last 100",
            "weights not ending at 100|canary.weights must be rising whole percentages from 1 to 100, the last 100",
            "two thresholds|gates[0] (agreement): give one threshold, min or max",
            "an unknown parameter|gates[1] (error_ratio): {{args.nope}} is neither in args nor window or champion-window",
            "a step not a multiple of the check|canary.stepSeconds must be a whole number of seconds, a multiple of checkSeconds (5)",
            "a gate twice|gate p99_ratio in canary is defined twice",
            "no shadow gate|no gate for the shadow phase",
    })
    void aBadAnalysisFileStopsMakeCanaryWithNothingWritten(String problem, String message) throws Exception {
        Path file = DeliveryAnalysis.variant(temp.resolve("analysis.yaml"), a -> {
            switch (problem) {
                case "weights not rising" -> DeliveryAnalysis.section(a, "canary").put("weights", java.util.List.of(50, 25, 100));
                case "weights not ending at 100" -> DeliveryAnalysis.section(a, "canary").put("weights", java.util.List.of(5, 25));
                case "two thresholds" -> DeliveryAnalysis.gate(a, "shadow", "agreement").put("max", 1);
                case "an unknown parameter" -> DeliveryAnalysis.gate(a, "shadow", "error_ratio").put("query", "up{{{args.nope}}}");
                case "a step not a multiple of the check" -> DeliveryAnalysis.section(a, "canary").put("stepSeconds", 62);
                case "a gate twice" -> DeliveryAnalysis.gates(a).add(new java.util.LinkedHashMap<>(DeliveryAnalysis.gate(a, "canary", "p99_ratio")));
                case "no shadow gate" -> DeliveryAnalysis.gates(a).removeIf(g -> "shadow".equals(g.get("phase")));
                default -> throw new IllegalArgumentException(problem);
            }
        });
        Run check = run(Map.of("CANARY_ANALYSIS", file.toString()), "scripts/canary.sh", "check");
        assertEquals(1, check.exit(), problem + " is refused:\n" + check.output());
        assertTrue(check.output().contains(message), "the message names the problem (" + message + "):\n" + check.output());
        Run run = run(Map.of("CANARY_ANALYSIS", file.toString()), "scripts/canary.sh", "run", "no-such.war");
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains(message), run.output());
        assertFalse(Files.exists(temp.resolve("state")), "nothing was written:\n" + run.output());
    }

    @Test
    void theCommittedAnalysisFileIsSound() throws Exception {
        Run check = run(Map.of(), "scripts/canary.sh", "check");
        assertEquals(0, check.exit(), check.output());
        assertTrue(check.output().contains("delivery/canary.yaml: shadow"), check.output());
    }

    @ParameterizedTest(name = "control character in {0}")
    @CsvSource({"GATEWAY_USER", "GATEWAY_PASSWORD", "ADMIN_USER", "ADMIN_PASSWORD"})
    void newlinesAndControlCharactersAreRefused(String name) throws Exception {
        assertRefused(Map.of(name, "line\nbreak"), name + " holds a newline or another control character", "scripts/stack.sh", "start");
        assertRefused(Map.of(name, "tab\there"), name + " holds a newline or another control character", "scripts/stack.sh", "start");
    }

    @Test
    void aStateFolderThatCannotBeQuotedIsRefused() throws Exception {
        Run run = run(Map.of("STATE_DIR", temp.resolve("it's").toString()), "scripts/stack.sh", "start");
        assertEquals(1, run.exit(), run.output());
        assertTrue(run.output().contains("which the generated configuration cannot quote"), run.output());
        assertFalse(Files.exists(temp.resolve("it's")), "nothing was written");
    }

    @Test
    void composeRefusesToPublishTheDefaultPassword() throws Exception {
        assertRefused(Map.of("GATEWAY_PUBLISH_ADDRESS", "0.0.0.0"),
                "GATEWAY_PUBLISH_ADDRESS=0.0.0.0 would publish the gateway with the default password", "scripts/compose.sh", "start");
        assertRefused(Map.of("GATEWAY_USER", "bad:user"), "GATEWAY_USER=bad:user is not a user name", "scripts/compose.sh", "start");
    }

    /** The effective GATEWAY_BIND, as the scripts render it into nginx's listen directives. */
    private String effectiveBind(Map<String, String> settings) throws Exception {
        Run run = run(settings, "bash", "-c", "source scripts/lib/settings.sh && settings_validate && echo \"bind=$GATEWAY_BIND\"");
        assertEquals(0, run.exit(), run.output());
        return run.output().lines().filter(l -> l.startsWith("bind=")).findFirst().orElseThrow().substring(5);
    }

    @Test
    void theGatewayListensOnLoopbackUntilThePasswordChanges() throws Exception {
        assertEquals("", StackEnv.readStackEnv().get("GATEWAY_BIND"), "stack.env leaves GATEWAY_BIND automatic");
        assertEquals("admin", StackEnv.readStackEnv().get("GATEWAY_PASSWORD"), "admin/admin stays the default");
        assertEquals("127.0.0.1", effectiveBind(Map.of()), "default password: loopback only");
        assertEquals("0.0.0.0", effectiveBind(Map.of("GATEWAY_PASSWORD", "a-better-secret")), "own password: every interface");
        assertEquals("127.0.0.1", effectiveBind(Map.of("GATEWAY_PASSWORD", "a-better-secret", "GATEWAY_BIND", "127.0.0.1")),
                "an explicit loopback stays loopback");
        assertEquals("0.0.0.0", effectiveBind(Map.of("GATEWAY_PASSWORD", "a-better-secret", "GATEWAY_BIND", "0.0.0.0")));
        assertEquals("127.0.0.2", effectiveBind(Map.of("GATEWAY_BIND", "127.0.0.2")), "any loopback address is fine with the default password");
    }

    @Test
    void generatedConfigurationQuotesEveryPath() throws IOException {
        String supervisor = Files.readString(StackEnv.projectRoot().resolve("scripts/lib/supervisor.sh"));
        for (String path : new String[] {"\\\"$WLP_DIR/bin/server\\\"", "\\\"$NGINX_STATE_DIR/nginx.pid\\\"",
                "--config.file=\\\"$PROMETHEUS_CONFIG_DIR/prometheus.yml\\\"", "--storage.tsdb.path=\\\"$PROMETHEUS_STATE_DIR/data\\\""}) {
            assertTrue(supervisor.contains(path), "supervisord's command lines quote " + path);
        }
        String nginx = Files.readString(StackEnv.projectRoot().resolve("scripts/lib/nginx.sh"));
        assertTrue(nginx.contains("nginx_quote_paths"), "nginx templates' paths are quoted when rendered");
    }

    /** The quoting step the native render runs on every nginx template, applied to the committed templates. */
    @Test
    void everyPathInTheNginxTemplatesEndsUpQuoted() throws Exception {
        Map<String, String> env = new HashMap<>();
        Run run = run(env, "bash", "-c", "source scripts/lib/settings.sh && source scripts/lib/progress.sh && "
                + "NGINX_STATE_DIR=x STATE_DIR=x && source scripts/lib/nginx.sh && "
                + "cat nginx/nginx.conf.template nginx/templates/*.conf.template | nginx_quote_paths");
        assertEquals(0, run.exit(), run.output());
        java.util.regex.Matcher unquoted = java.util.regex.Pattern
                .compile("(^|[^\"])\\$\\{(NGINX_STATE_DIR|NGINX_WORKER_DIR|NGINX_LOG_DIR|NGINX_CERT_DIR|NGINX_HTPASSWD_FILE)}")
                .matcher(run.output());
        assertFalse(unquoted.find(), "an unquoted path in the rendered nginx configuration: "
                + (unquoted.find(0) ? run.output().substring(Math.max(0, unquoted.start() - 40), unquoted.end()) : ""));
        assertTrue(run.output().contains("\"${NGINX_STATE_DIR}/nginx.pid\""), run.output());
    }
}

package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The start scripts check their settings before they write or start anything: `scripts/stack.sh
 * start` (and `scripts/compose.sh start`) with a bad value exits 1 with a message that names it,
 * and the state folder it was given is not even created. No stack is needed: the check comes first.
 * Also the gateway's listen address: loopback while the password is the default, every interface
 * once it is not, and a public address with the default or a weak password refused; the htpasswd
 * file's hash; the admin console's generated password; and the inputs of make k8s-secrets.
 */
class SettingsValidationTest {

    @TempDir
    Path temp;

    /** Runs a command in the repository with the given settings on top of stack.env's (not the caller's). */
    private Command.Result run(Map<String, String> settings, String... command) {
        return Command.of(command)
                .stackSettingsFromFile()
                // Not a stack.env key, but a setting the refusals below are about: its default.
                .env("GATEWAY_PUBLISH_ADDRESS", "")
                .env("STATE_DIR", temp.resolve("state").toString())
                .env(settings)
                .run();
    }

    private void assertRefused(Map<String, String> settings, String expectedMessage, String... command)
            throws Exception {
        Command.Result run = run(settings, command);
        assertEquals(1, run.exitCode(), settings + " is refused:\n" + run.output());
        assertTrue(
                run.output().contains(expectedMessage),
                "the message names the problem (" + expectedMessage + "):\n" + run.output());
        assertTrue(run.output().contains("nothing was written"), "the message says nothing changed:\n" + run.output());
        assertFalse(Files.exists(temp.resolve("state")), "nothing was written for " + settings + ":\n" + run.output());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "GATEWAY_USER|bad:user|GATEWAY_USER=bad:user is not a user name",
                "GATEWAY_USER|" + "u2345678901234567890123456789012345678901234567890123456789012345"
                        + "|is not a user name",
                "ADMIN_USER|a b|ADMIN_USER=a\\ b is not a user name",
                "V1_REPLICAS|0|V1_REPLICAS=0 must be a number from 1 to 9",
                "API_WARM_UP_MAX_SECONDS|-1|API_WARM_UP_MAX_SECONDS=-1 must be a whole number of seconds",
                "API_WARM_UP_MAX_SECONDS|30s|API_WARM_UP_MAX_SECONDS=30s must be a whole number of seconds",
                "PREDICTION_LOG_TEXT|yes|PREDICTION_LOG_TEXT=yes must be true or false",
                "API_BATCH_MAX|0|API_BATCH_MAX=0 must be a positive whole number",
                "API_BATCH_MAX|64k|API_BATCH_MAX=64k must be a positive whole number",
                "TRACES_OTLP_ENDPOINT|127.0.0.1:4318|TRACES_OTLP_ENDPOINT=127.0.0.1:4318 must be empty (no export) or an http:// or https:// URL",
                "TRACES_OTLP_ENDPOINT|http://a b|TRACES_OTLP_ENDPOINT=http://a\\ b must be empty",
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
                "GATEWAY_BIND|192.168.1.10|Set a password of at least 12 characters first: GATEWAY_PASSWORD=",
                "HTPASSWD_SCHEME|ssha|HTPASSWD_SCHEME=ssha must be sha512 or bcrypt",
                "LOG_FILE_MAX_MB|0|LOG_FILE_MAX_MB=0 must be a number of MiB from 1 to 1024",
                "LOG_FILES_KEPT|0|LOG_FILES_KEPT=0 must be a number of files from 1 to 99",
                "ALERTMANAGER_PORT|9090|port 9090 is given to two components",
                "ALERT_WEBHOOK_URL|ftp://example.com/hook|ALERT_WEBHOOK_URL=ftp://example.com/hook is not an http:// or https:// URL",
                "ALERT_WEBHOOK_URL|http://example.com/\"x|ALERT_WEBHOOK_URL holds a quote or a backslash",
                "ALERT_EMAIL_TO|ops@example.com|must be host:port of an SMTP relay",
            })
    void aBadSettingStopsTheStartWithNothingWritten(String name, String value, String message) throws Exception {
        assertRefused(Map.of(name, value), message, "scripts/stack.sh", "start");
    }

    /**
     * make canary checks its analysis file (CANARY_ANALYSIS) before it starts anything: each problem
     * named, exit 1, and no state written.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
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
                case "weights not rising" ->
                    DeliveryAnalysis.section(a, "canary").put("weights", java.util.List.of(50, 25, 100));
                case "weights not ending at 100" ->
                    DeliveryAnalysis.section(a, "canary").put("weights", java.util.List.of(5, 25));
                case "two thresholds" ->
                    DeliveryAnalysis.gate(a, "shadow", "agreement").put("max", 1);
                case "an unknown parameter" ->
                    DeliveryAnalysis.gate(a, "shadow", "error_ratio").put("query", "up{{{args.nope}}}");
                case "a step not a multiple of the check" ->
                    DeliveryAnalysis.section(a, "canary").put("stepSeconds", 62);
                case "a gate twice" ->
                    DeliveryAnalysis.gates(a)
                            .add(new java.util.LinkedHashMap<>(DeliveryAnalysis.gate(a, "canary", "p99_ratio")));
                case "no shadow gate" -> DeliveryAnalysis.gates(a).removeIf(g -> "shadow".equals(g.get("phase")));
                default -> throw new IllegalArgumentException(problem);
            }
        });
        Command.Result check = run(Map.of("CANARY_ANALYSIS", file.toString()), "scripts/canary.sh", "check");
        assertEquals(1, check.exitCode(), problem + " is refused:\n" + check.output());
        assertTrue(
                check.output().contains(message),
                "the message names the problem (" + message + "):\n" + check.output());
        Command.Result run = run(Map.of("CANARY_ANALYSIS", file.toString()), "scripts/canary.sh", "run", "no-such.war");
        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.output().contains(message), run.output());
        assertFalse(Files.exists(temp.resolve("state")), "nothing was written:\n" + run.output());
    }

    @Test
    void theCommittedAnalysisFileIsSound() throws Exception {
        Command.Result check = run(Map.of(), "scripts/canary.sh", "check");
        assertEquals(0, check.exitCode(), check.output());
        assertTrue(check.output().contains("delivery/canary.yaml: shadow"), check.output());
    }

    @ParameterizedTest(name = "control character in {0}")
    @CsvSource({"GATEWAY_USER", "GATEWAY_PASSWORD", "ADMIN_USER", "ADMIN_PASSWORD"})
    void newlinesAndControlCharactersAreRefused(String name) throws Exception {
        assertRefused(
                Map.of(name, "line\nbreak"),
                name + " holds a newline or another control character",
                "scripts/stack.sh",
                "start");
        assertRefused(
                Map.of(name, "tab\there"),
                name + " holds a newline or another control character",
                "scripts/stack.sh",
                "start");
    }

    @Test
    void aStateFolderThatCannotBeQuotedIsRefused() throws Exception {
        Command.Result run = run(Map.of("STATE_DIR", temp.resolve("it's").toString()), "scripts/stack.sh", "start");
        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.output().contains("which the generated configuration cannot quote"), run.output());
        assertFalse(Files.exists(temp.resolve("it's")), "nothing was written");
    }

    @Test
    void composeRefusesToPublishTheDefaultPassword() throws Exception {
        assertRefused(
                Map.of("GATEWAY_PUBLISH_ADDRESS", "0.0.0.0"),
                "GATEWAY_PUBLISH_ADDRESS=0.0.0.0 would open the gateway to the network with the default password",
                "scripts/compose.sh",
                "start");
        assertRefused(
                Map.of("GATEWAY_USER", "bad:user"),
                "GATEWAY_USER=bad:user is not a user name",
                "scripts/compose.sh",
                "start");
        assertRefused(
                Map.of(
                        "GATEWAY_PASSWORD",
                        "short-pass",
                        "GATEWAY_BIND",
                        "127.0.0.1",
                        "GATEWAY_PUBLISH_ADDRESS",
                        "0.0.0.0"),
                "GATEWAY_PASSWORD is too weak for a gateway open to the network (GATEWAY_PUBLISH_ADDRESS=0.0.0.0)",
                "scripts/compose.sh",
                "start");
    }

    /**
     * A gateway on the network needs a password of at least 12 characters that is not a common one:
     * a weak one is refused with the reason (never the password itself), nothing written. On loopback
     * any password will do.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "elevenchars|it has 11 characters, fewer than 12",
                "password1234|it is one of the most common passwords",
                "PassWord1234|it is one of the most common passwords",
                "correct horse battery staple|it is one of the most common passwords",
                "adminadminadmin|it is mostly the user name",
                "zzzzzzzzzzzzzzzzzz|it repeats one character",
            })
    void aWeakPasswordDoesNotOpenTheGatewayToTheNetwork(String password, String reason) throws Exception {
        for (Map<String, String> bind : List.<Map<String, String>>of(Map.of(), Map.of("GATEWAY_BIND", "0.0.0.0"))) {
            Map<String, String> settings = new HashMap<>(bind);
            settings.put("GATEWAY_PASSWORD", password);
            // The check alone (what `scripts/stack.sh start` runs first, before it writes anything): were it
            // broken, a whole start would not run here, outside the machine's lock on the stack's ports.
            Command.Result run = run(
                    settings,
                    "bash",
                    "-c",
                    "source scripts/lib/settings.sh && source scripts/lib/progress.sh && settings_validate");
            assertEquals(1, run.exitCode(), password + " with " + bind + " is refused:\n" + run.output());
            assertTrue(
                    run.output().contains("GATEWAY_PASSWORD is too weak for a gateway open to the network"),
                    run.output());
            assertTrue(run.output().contains(reason), "the reason (" + reason + "):\n" + run.output());
            assertTrue(run.output().contains("nothing was written"), run.output());
            assertFalse(run.output().contains(password), "the message does not show the password:\n" + run.output());
            assertFalse(Files.exists(temp.resolve("state")), "nothing was written");
        }
        assertEquals(
                "127.0.0.1",
                effectiveBind(Map.of("GATEWAY_PASSWORD", password, "GATEWAY_BIND", "127.0.0.1")),
                "on loopback a weak password is the user's business");
    }

    /** The same refusal from the real start, once: the check runs before anything is written. */
    @Test
    void theStartRefusesAWeakPasswordOnTheNetwork() throws Exception {
        assertRefused(
                Map.of("GATEWAY_PASSWORD", "password1234"),
                "GATEWAY_PASSWORD is too weak for a gateway open to the network",
                "scripts/stack.sh",
                "start");
    }

    @Test
    void aStrongPasswordOpensTheGatewayToTheNetwork() throws Exception {
        assertEquals("0.0.0.0", effectiveBind(Map.of("GATEWAY_PASSWORD", "Tk4-violet-anchor-93")));
        assertEquals(
                "0.0.0.0",
                effectiveBind(Map.of("GATEWAY_PASSWORD", "twelve chars")),
                "12 characters, none of the common ones");
    }

    /**
     * The htpasswd file holds SHA-512 crypt (default) or bcrypt, never the password, and Nginx (the
     * one the stack runs, in a private instance) accepts the password by it and refuses another.
     */
    @ParameterizedTest
    @CsvSource({
        "sha512,\\$6\\$rounds=1000\\$[./A-Za-z0-9]{16}\\$[./A-Za-z0-9]{86}",
        "bcrypt,\\$2y\\$05\\$[./A-Za-z0-9]{53}"
    })
    void theHtpasswdFileHoldsAStrongHashThatNginxVerifies(String scheme, String hash, @TempDir Path dir)
            throws Exception {
        String password = "Tk4-violet \\\"anchor\\\" 93";
        Command.Result run = run(
                Map.of("GATEWAY_PASSWORD", password, "HTPASSWD_SCHEME", scheme),
                "bash",
                "-c",
                "source scripts/lib/settings.sh && source scripts/lib/progress.sh && source scripts/lib/nginx.sh"
                        + " && source scripts/lib/certs.sh && mkdir -p \"$STATE_DIR\" && NGINX_HTPASSWD_FILE=\"$STATE_DIR/htpasswd\""
                        + " && certs_write_htpasswd && cat \"$NGINX_HTPASSWD_FILE\"");
        assertEquals(0, run.exitCode(), run.output());
        String entry = run.output()
                .lines()
                .filter(l -> l.startsWith("admin:"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(run.output()));
        assertTrue(entry.matches("admin:" + hash), scheme + " entry: " + entry);
        assertFalse(entry.contains("violet"), "no password in the file");
        Path file = temp.resolve("state/htpasswd");
        assertFalse(
                Files.getPosixFilePermissions(file).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ),
                file + " is not world-readable");

        try (PrivateGateway gateway = new PrivateGateway(dir, null, Map.of(), 9)) {
            PrivateGateway.writeHtpasswd(dir, entry + "\n");
            assertEquals(
                    502,
                    gateway.predictStatus("admin", password),
                    "the right password passes auth (the upstream is not there): "
                            + Files.readString(dir.resolve("logs/error.log")));
            assertEquals(401, gateway.predictStatus("admin", password + "x"), "a wrong one does not");
        }
    }

    /** Without ADMIN_PASSWORD the console's password is generated once per state folder, kept mode 600. */
    @Test
    void theAdminConsolePasswordIsGeneratedAtFirstStartUnlessSet() throws Exception {
        String print =
                "source scripts/lib/settings.sh && source scripts/lib/progress.sh && source scripts/lib/liberty.sh"
                        + " && printf 'password=%s\\n' \"$(liberty_admin_password)\"";
        String first = password(run(Map.of(), "bash", "-c", print));
        assertTrue(first.matches("[A-Za-z0-9+/]{24}"), "18 random bytes in base64: " + first);
        assertEquals(first, password(run(Map.of(), "bash", "-c", print)), "kept for the next start");
        Path file = temp.resolve("state/liberty/admin-console.password");
        assertEquals(
                "rw-------",
                java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(
                "my own console password",
                password(run(Map.of("ADMIN_PASSWORD", "my own console password"), "bash", "-c", print)));
        Files.delete(file);
        assertFalse(
                first.equals(password(run(Map.of(), "bash", "-c", print))), "another state folder, another password");
    }

    private static String password(Command.Result run) {
        assertEquals(0, run.exitCode(), run.output());
        return run.output()
                .lines()
                .filter(l -> l.startsWith("password="))
                .findFirst()
                .orElseThrow()
                .substring("password=".length());
    }

    /** make k8s-secrets checks GATEWAY_USER, K8S_HOST and a given GATEWAY_PASSWORD as the native settings are. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "GATEWAY_USER|bad:user|GATEWAY_USER=bad:user is not a user name",
                "GATEWAY_USER|a b|GATEWAY_USER=a\\ b is not a user name",
                "K8S_HOST|evil/CN=x|K8S_HOST=evil/CN=x is not a DNS host name",
                "K8S_HOST|-leading.example|is not a DNS host name",
                "K8S_HOST|a_b.example|is not a DNS host name",
                "GATEWAY_PASSWORD|password1234|GATEWAY_PASSWORD is too weak for a gateway on a cluster: it is one of the most common passwords",
                "GATEWAY_PASSWORD|short|it has 5 characters, fewer than 12",
            })
    void k8sSecretsRefusesBadInputsWithNothingWritten(String name, String value, String message) throws Exception {
        Path k8s = temp.resolve("k8s");
        Command.Result run = run(Map.of(name, value, "K8S_DIR", k8s.toString()), "scripts/k8s-inputs.sh", "secrets");
        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.output().contains(message), "the message names the problem (" + message + "):\n" + run.output());
        assertTrue(run.output().contains("nothing was written"), run.output());
        assertFalse(Files.exists(k8s), "nothing was written");
    }

    @Test
    void k8sSecretsWritesAStrongHashForAGoodHost() throws Exception {
        Path k8s = temp.resolve("k8s");
        Command.Result run = run(
                Map.of("K8S_HOST", "api.example.com", "GATEWAY_USER", "ops", "K8S_DIR", k8s.toString()),
                "scripts/k8s-inputs.sh",
                "secrets");
        assertEquals(0, run.exitCode(), run.output());
        String htpasswd = Files.readString(k8s.resolve("base/gateway/secrets/htpasswd"));
        assertTrue(htpasswd.matches("ops:\\$6\\$rounds=1000\\$[./A-Za-z0-9]{16}\\$[./A-Za-z0-9]{86}\n"), htpasswd);
    }

    /** The effective GATEWAY_BIND, as the scripts render it into nginx's listen directives. */
    private String effectiveBind(Map<String, String> settings) throws Exception {
        Command.Result run = run(
                settings,
                "bash",
                "-c",
                "source scripts/lib/settings.sh && settings_validate && echo \"bind=$GATEWAY_BIND\"");
        assertEquals(0, run.exitCode(), run.output());
        return run.output()
                .lines()
                .filter(l -> l.startsWith("bind="))
                .findFirst()
                .orElseThrow()
                .substring(5);
    }

    @Test
    void theGatewayListensOnLoopbackUntilThePasswordChanges() throws Exception {
        assertEquals("", StackEnv.readStackEnv().get("GATEWAY_BIND"), "stack.env leaves GATEWAY_BIND automatic");
        assertEquals("admin", StackEnv.readStackEnv().get("GATEWAY_PASSWORD"), "admin/admin stays the default");
        assertEquals("127.0.0.1", effectiveBind(Map.of()), "default password: loopback only");
        assertEquals(
                "0.0.0.0",
                effectiveBind(Map.of("GATEWAY_PASSWORD", "a-better-secret")),
                "own password: every interface");
        assertEquals(
                "127.0.0.1",
                effectiveBind(Map.of("GATEWAY_PASSWORD", "a-better-secret", "GATEWAY_BIND", "127.0.0.1")),
                "an explicit loopback stays loopback");
        assertEquals(
                "0.0.0.0", effectiveBind(Map.of("GATEWAY_PASSWORD", "a-better-secret", "GATEWAY_BIND", "0.0.0.0")));
        assertEquals(
                "127.0.0.2",
                effectiveBind(Map.of("GATEWAY_BIND", "127.0.0.2")),
                "any loopback address is fine with the default password");
    }

    @Test
    void generatedConfigurationQuotesEveryPath() throws IOException {
        String supervisor = Files.readString(StackEnv.projectRoot().resolve("supervisor/supervisord.conf.template"))
                + Files.readString(StackEnv.projectRoot().resolve("supervisor/api-server.conf.template"));
        for (String path : new String[] {
            "\"${WLP_DIR}/bin/server\"",
            "\"${NGINX_STATE_DIR}/nginx.pid\"",
            "--config.file=\"${PROMETHEUS_CONFIG_DIR}/prometheus.yml\"",
            "--storage.tsdb.path=\"${PROMETHEUS_STATE_DIR}/data\""
        }) {
            assertTrue(supervisor.contains(path), "supervisord's command lines quote " + path);
        }
        String nginx = Files.readString(StackEnv.projectRoot().resolve("scripts/lib/nginx.sh"));
        assertTrue(nginx.contains("nginx_quote_paths"), "nginx templates' paths are quoted when rendered");
    }

    /** The quoting step the native render runs on every nginx template, applied to the committed templates. */
    @Test
    void everyPathInTheNginxTemplatesEndsUpQuoted() throws Exception {
        Map<String, String> env = new HashMap<>();
        Command.Result run = run(
                env,
                "bash",
                "-c",
                "source scripts/lib/settings.sh && source scripts/lib/progress.sh && "
                        + "NGINX_STATE_DIR=x STATE_DIR=x && source scripts/lib/nginx.sh && "
                        + "cat nginx/nginx.conf.template nginx/templates/*.conf.template | nginx_quote_paths");
        assertEquals(0, run.exitCode(), run.output());
        java.util.regex.Matcher unquoted = java.util.regex.Pattern.compile(
                        "(^|[^\"])\\$\\{(NGINX_STATE_DIR|NGINX_WORKER_DIR|NGINX_LOG_DIR|NGINX_CERT_DIR|NGINX_HTPASSWD_FILE)}")
                .matcher(run.output());
        assertFalse(
                unquoted.find(),
                "an unquoted path in the rendered nginx configuration: "
                        + (unquoted.find(0)
                                ? run.output().substring(Math.max(0, unquoted.start() - 40), unquoted.end())
                                : ""));
        assertTrue(run.output().contains("\"${NGINX_STATE_DIR}/nginx.pid\""), run.output());
    }
}

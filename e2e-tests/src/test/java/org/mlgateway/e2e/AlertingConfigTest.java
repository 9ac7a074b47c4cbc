package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * Where the alerts of prometheus/rules go, as the native stack renders it (scripts/lib/alerting.sh,
 * monitoring.sh): Prometheus sends them to the stack's Alertmanager on loopback; Alertmanager shows
 * them in its UI and API and, by default, sends them nowhere else; a webhook URL or e-mail settings
 * add those receivers. Every configuration passes amtool and promtool. make k8s-rules gives the
 * Kubernetes deployment the same.
 */
class AlertingConfigTest {

    @TempDir
    Path temp;

    /** A command in the repository with these settings and no other of the caller's stack.env keys. */
    private Command command(Map<String, String> settings, String... command) {
        return Command.of(command)
                .stackSettingsFromFile()
                .env("STATE_DIR", temp.resolve("state").toString())
                .env(settings);
    }

    private String bash(Map<String, String> settings, String script) {
        return command(
                        settings,
                        "bash",
                        "-c",
                        "source scripts/lib/settings.sh && source scripts/lib/progress.sh"
                                + " && source scripts/lib/alerting.sh && source scripts/lib/monitoring.sh && "
                                + script)
                .succeeds();
    }

    /** The rendered configuration, checked by amtool, as JSON. */
    private JsonNode alertmanagerConfig(Map<String, String> settings) throws Exception {
        Path file = temp.resolve("alertmanager-" + settings.hashCode() + ".yml");
        bash(settings, "alerting_config > '" + file + "' && amtool check-config '" + file + "'");
        return GatewayCalls.JSON.readTree(Files.readString(file));
    }

    @Test
    void byDefaultAlertsGoNowhereButAlertmanagersOwnUiAndApi() throws Exception {
        JsonNode config = alertmanagerConfig(Map.of());
        assertEquals("stack", config.path("route").path("receiver").asText());
        assertEquals(1, config.path("receivers").size());
        assertEquals(
                List.of("name"),
                fieldNames(config.path("receivers").get(0)),
                "a receiver that notifies no one: " + config);
        assertEquals(
                "10s",
                config.path("route").path("group_wait").asText(),
                "a new alert goes out 10 s after it reached Alertmanager");
    }

    @Test
    void aWebhookAndEmailAreAddedFromTheSettings() throws Exception {
        JsonNode receiver = alertmanagerConfig(Map.of(
                        "ALERT_WEBHOOK_URL",
                        "https://hooks.example.com/alerts?team=ml",
                        "ALERT_EMAIL_TO",
                        "ops@example.com",
                        "ALERT_EMAIL_FROM",
                        "gateway@example.com",
                        "ALERT_SMTP_SMARTHOST",
                        "smtp.example.com:587",
                        "ALERT_SMTP_USERNAME",
                        "gateway",
                        "ALERT_SMTP_PASSWORD",
                        "s3cret & more"))
                .path("receivers")
                .get(0);
        assertEquals(
                "https://hooks.example.com/alerts?team=ml",
                receiver.path("webhook_configs").get(0).path("url").asText());
        assertTrue(
                receiver.path("webhook_configs").get(0).path("send_resolved").asBoolean(),
                "resolved alerts are sent too");
        JsonNode email = receiver.path("email_configs").get(0);
        assertEquals("ops@example.com", email.path("to").asText());
        assertEquals("gateway@example.com", email.path("from").asText());
        assertEquals("smtp.example.com:587", email.path("smarthost").asText());
        assertEquals("gateway", email.path("auth_username").asText());
        assertEquals("s3cret & more", email.path("auth_password").asText());

        JsonNode noAuth = alertmanagerConfig(Map.of(
                        "ALERT_EMAIL_TO",
                        "ops@example.com",
                        "ALERT_EMAIL_FROM",
                        "gateway@example.com",
                        "ALERT_SMTP_SMARTHOST",
                        "relay.local:25"))
                .path("receivers")
                .get(0);
        assertEquals(
                List.of("email_configs", "name"),
                fieldNames(noAuth).stream().sorted().toList());
        assertTrue(
                noAuth.path("email_configs").get(0).path("auth_username").isMissingNode(),
                "no credentials for a relay that asks none");
    }

    /**
     * make k8s-rules renders the same route and receivers for the Prometheus Operator, from the same
     * settings: the native configuration in the operator's field names (group_wait: groupWait), an
     * AlertmanagerConfig its schema takes; the settings are checked as the native stack checks them,
     * and an SMTP login (which needs a Secret) is refused, with nothing written.
     */
    @Test
    void kubernetesGetsTheNativeRouteAndReceiversInTheOperatorsFieldNames() throws Exception {
        Map<String, String> settings = Map.of(
                "ALERT_WEBHOOK_URL", "https://hooks.example.com/alerts?team=ml",
                "ALERT_EMAIL_TO", "ops@example.com",
                "ALERT_EMAIL_FROM", "gateway@example.com",
                "ALERT_SMTP_SMARTHOST", "smtp.example.com:587");
        Path generated = temp.resolve("k8s/base/monitoring/generated");
        assertEquals(0, k8sRules(settings).exitCode());
        JsonNode config = GatewayCalls.JSON.readTree(
                Files.readString(generated.resolve("alertmanager-config.yaml")).replaceFirst("^#[^\n]*\n", ""));
        assertEquals(operatorFieldNames(alertmanagerConfig(settings)), config.path("spec"));
        assertEquals(
                "https://hooks.example.com/alerts?team=ml",
                config.path("spec")
                        .path("receivers")
                        .get(0)
                        .path("webhookConfigs")
                        .get(0)
                        .path("url")
                        .asText());
        KubernetesSchemaTest.STRICT.treeToValue(
                config, io.fabric8.openshift.api.model.monitoring.v1alpha1.AlertmanagerConfig.class);

        Files.delete(generated.resolve("alertmanager-config.yaml"));
        Files.delete(generated.resolve("prometheus-rules.yaml"));
        Command.Result login = k8sRules(Map.of(
                "ALERT_EMAIL_TO", "ops@example.com",
                "ALERT_EMAIL_FROM", "gateway@example.com",
                "ALERT_SMTP_SMARTHOST", "smtp.example.com:587",
                "ALERT_SMTP_USERNAME", "gateway"));
        assertTrue(login.exitCode() != 0 && login.output().contains("needs a Secret for authPassword"), login.output());
        Command.Result notAnAddress = k8sRules(Map.of("ALERT_EMAIL_TO", "ops"));
        assertTrue(
                notAnAddress.exitCode() != 0
                        && notAnAddress.output().contains("ALERT_EMAIL_TO=ops is not an e-mail address"),
                notAnAddress.output());
        assertTrue(!Files.exists(generated.resolve("prometheus-rules.yaml")), "nothing was written");
    }

    /** make k8s-rules into the test's folder, with these alert settings. */
    private Command.Result k8sRules(Map<String, String> settings) {
        return command(settings, "make", "-s", "k8s-rules", "K8S_DIR=" + temp.resolve("k8s"))
                .run();
    }

    private static final java.util.regex.Pattern SNAKE_CASE = java.util.regex.Pattern.compile("_([a-z])");

    /** A native Alertmanager configuration with every field named as the operator names it. */
    private static JsonNode operatorFieldNames(JsonNode node) {
        if (node.isObject()) {
            com.fasterxml.jackson.databind.node.ObjectNode renamed = GatewayCalls.JSON.createObjectNode();
            node.fields()
                    .forEachRemaining(field -> renamed.set(
                            SNAKE_CASE
                                    .matcher(field.getKey())
                                    .replaceAll(m -> m.group(1).toUpperCase()),
                            operatorFieldNames(field.getValue())));
            return renamed;
        }
        if (node.isArray()) {
            com.fasterxml.jackson.databind.node.ArrayNode renamed = GatewayCalls.JSON.createArrayNode();
            node.forEach(element -> renamed.add(operatorFieldNames(element)));
            return renamed;
        }
        return node;
    }

    @Test
    void prometheusSendsItsAlertsToTheStacksAlertmanagerOnLoopback() throws Exception {
        Path config = temp.resolve("prometheus");
        bash(
                Map.of(),
                "monitoring_stage_config '" + config + "' && promtool check config '" + config + "/prometheus.yml'");
        Map<String, Object> prometheus = new Yaml().load(Files.readString(config.resolve("prometheus.yml")));
        assertEquals(
                "{alertmanagers=[{file_sd_configs=[{files=[targets/alertmanager.json]}]}]}",
                String.valueOf(prometheus.get("alerting")));
        JsonNode targets = GatewayCalls.JSON.readTree(Files.readString(config.resolve("targets/alertmanager.json")));
        assertEquals(
                "127.0.0.1:" + StackEnv.setting("ALERTMANAGER_PORT"),
                targets.get(0).path("targets").get(0).asText());
    }

    @Test
    void alertmanagerListensOnLoopbackWithoutItsClusterPort() throws Exception {
        String command = bash(Map.of(), "alerting_command");
        assertTrue(
                command.contains(" --web.listen-address=127.0.0.1:" + StackEnv.setting("ALERTMANAGER_PORT") + " "),
                command);
        assertTrue(
                command.trim().endsWith(" --cluster.listen-address="),
                "no cluster port (9094 on every interface by default): " + command);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}

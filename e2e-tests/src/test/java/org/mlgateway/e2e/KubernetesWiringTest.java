package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mlgateway.e2e.KubernetesManifests.containers;
import static org.mlgateway.e2e.KubernetesManifests.id;
import static org.mlgateway.e2e.KubernetesManifests.list;
import static org.mlgateway.e2e.KubernetesManifests.map;
import static org.mlgateway.e2e.KubernetesManifests.named;
import static org.mlgateway.e2e.KubernetesManifests.namespace;
import static org.mlgateway.e2e.KubernetesManifests.ofKind;
import static org.mlgateway.e2e.KubernetesManifests.podLabels;
import static org.mlgateway.e2e.KubernetesManifests.selects;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The rendered objects fit together: Services and policies select real pods, ports are named where
 * they are used, probes ask what the servers serve, and the gateway's upstreams are the API Services.
 */
class KubernetesWiringTest {

    static final List<String> OVERLAYS = KubernetesManifests.OVERLAYS;
    private static final Path ROOT = StackEnv.projectRoot();
    private static final Pattern HTTP_GET = Pattern.compile("\\.get\\(\"(/health/[a-z]+)\"\\)");
    private static final Pattern EXACT_LOCATION = Pattern.compile("location\\s*=\\s*(/[^\\s{]+)");
    private static final Pattern UPSTREAM_SERVER =
            Pattern.compile("^\\s*server\\s+([^:\\s]+):(\\d+)", Pattern.MULTILINE);
    private static final Pattern INCLUDE_UPSTREAM = Pattern.compile("include\\s+upstreams/([^;\\s]+)\\s*;");
    private static final Pattern SETTING = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");

    /** Pod templates (Deployments, Rollouts) of one namespace. */
    private static List<Map<String, Object>> deploymentsIn(String overlay, String namespace) {
        return KubernetesManifests.workloads(overlay).stream()
                .filter(d -> namespace.equals(namespace(d)))
                .toList();
    }

    private static List<Map<String, Object>> selected(String overlay, String namespace, Map<String, Object> selector) {
        return deploymentsIn(overlay, namespace).stream()
                .filter(d -> selects(selector, podLabels(d)))
                .toList();
    }

    /**
     * The Alertmanager objects whose pods (made by the Prometheus Operator, labelled alertmanager=NAME
     * and app.kubernetes.io/name=alertmanager) the selector matches.
     */
    private static List<Map<String, Object>> alertmanagerPodsSelected(
            String overlay, String namespace, Map<String, Object> selector) {
        return ofKind(overlay, "Alertmanager").stream()
                .filter(a -> namespace.equals(namespace(a)))
                .filter(a -> selects(
                        selector,
                        Map.of("alertmanager", KubernetesManifests.name(a), "app.kubernetes.io/name", "alertmanager")))
                .toList();
    }

    private static Set<Object> containerPorts(Map<String, Object> deployment, String field) {
        Set<Object> ports = new HashSet<>();
        for (Map<String, Object> container : containers(deployment)) {
            list(container, "ports").forEach(p -> ports.add(p.get(field)));
        }
        return ports;
    }

    /** A port reference (name or number) that a container of the pod declares. */
    private static boolean declares(Map<String, Object> deployment, Object port) {
        return port instanceof Number
                ? containerPorts(deployment, "containerPort").contains(port)
                : containerPorts(deployment, "name").contains(port);
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyServiceSelectsPodsAndItsTargetPortsAreTheirContainerPorts(String overlay) {
        for (Map<String, Object> service : ofKind(overlay, "Service")) {
            Map<String, Object> selector = map(map(service, "spec"), "selector");
            assertFalse(selector.isEmpty(), id(service) + " has no selector");
            List<Map<String, Object>> pods = selected(overlay, namespace(service), selector);
            assertFalse(
                    pods.isEmpty(), id(service) + " selector " + selector + " matches no pod template in " + overlay);
            for (Map<String, Object> port : list(map(service, "spec"), "ports")) {
                for (Map<String, Object> pod : pods) {
                    assertTrue(
                            declares(pod, port.get("targetPort")),
                            id(service) + " port " + port.get("name") + " targets " + port.get("targetPort")
                                    + ", which " + id(pod) + " declares in no container port");
                }
            }
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyProbeUsesADeclaredPortAndAPathTheServerServes(String overlay) throws IOException {
        Set<String> apiPaths = apiHealthPaths();
        Set<String> gatewayPaths = gatewayLocations();
        for (Map<String, Object> deployment : KubernetesManifests.workloads(overlay)) {
            for (Map<String, Object> container : containers(deployment)) {
                for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                    Map<String, Object> get = map(map(container, probe), "httpGet");
                    if (get.isEmpty()) {
                        continue;
                    }
                    String where = id(deployment) + " container " + container.get("name") + " " + probe;
                    assertTrue(
                            declares(deployment, get.get("port")),
                            where + " uses port " + get.get("port") + ", not declared");
                    Object path = get.get("path");
                    Set<String> served = switch (String.valueOf(container.get("name"))) {
                        case "api" -> apiPaths;
                        case "nginx" -> gatewayPaths;
                        case "exporter" -> Set.of("/metrics");
                        default -> Set.of();
                    };
                    assertTrue(
                            served.contains(path),
                            where + " asks " + path + ", which the container does not serve " + served);
                }
            }
        }
    }

    /**
     * What the WAR serves for health: the paths PlatformEndpointsIT checks on the deployed WAR, and
     * /health/started, which MicroProfile Health 4.0 serves beside them (the server enables mpHealth-4.0).
     */
    static Set<String> apiHealthPaths() throws IOException {
        Set<String> paths = new TreeSet<>();
        Matcher m = HTTP_GET.matcher(Files.readString(
                ROOT.resolve("ml-api-war/src/test/java/it/org/mlgateway/api/PlatformEndpointsIT.java")));
        while (m.find()) {
            paths.add(m.group(1));
        }
        String server = Files.readString(ROOT.resolve("liberty/server.xml"));
        Matcher health =
                Pattern.compile("<feature>mpHealth-(\\d+)\\.\\d+</feature>").matcher(server);
        if (health.find() && Integer.parseInt(health.group(1)) >= 4) {
            paths.add("/health/started");
        }
        return paths;
    }

    /** The exact-match locations of the shared nginx templates (what the gateway answers itself). */
    static Set<String> gatewayLocations() throws IOException {
        Set<String> paths = new TreeSet<>();
        for (Path template : sharedTemplates()) {
            Matcher m = EXACT_LOCATION.matcher(Files.readString(template));
            while (m.find()) {
                paths.add(m.group(1));
            }
        }
        return paths;
    }

    static List<Path> sharedTemplates() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("nginx/templates"))) {
            return files.filter(p -> p.toString().endsWith(".template"))
                    .sorted()
                    .toList();
        }
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void networkPoliciesSelectRealPodsAndOnlyTheGatewayAndPrometheusReachTheApi(String overlay) {
        Map<Map<String, Object>, String> external = Map.of(
                Map.of("kubernetes.io/metadata.name", "monitoring"), "app.kubernetes.io/name=prometheus",
                Map.of("kubernetes.io/metadata.name", "kube-system"), "k8s-app=kube-dns");
        Set<String> apiIngressPeers = new TreeSet<>();
        for (Map<String, Object> policy : ofKind(overlay, "NetworkPolicy")) {
            Map<String, Object> spec = map(policy, "spec");
            Map<String, Object> podSelector = map(map(spec, "podSelector"), "matchLabels");
            List<Map<String, Object>> pods = selected(overlay, namespace(policy), podSelector);
            assertFalse(
                    pods.isEmpty()
                            && alertmanagerPodsSelected(overlay, namespace(policy), podSelector)
                                    .isEmpty(),
                    id(policy) + " podSelector matches no pod template (nor the operator's Alertmanager pods) in "
                            + overlay);
            boolean api = pods.stream().anyMatch(p -> "api".equals(podLabels(p).get("app.kubernetes.io/component")));
            for (String direction : List.of("ingress", "egress")) {
                for (Map<String, Object> rule : list(spec, direction)) {
                    List<Map<String, Object>> peers = list(rule, direction.equals("ingress") ? "from" : "to");
                    for (Map<String, Object> peer : peers) {
                        Map<String, Object> pod = map(map(peer, "podSelector"), "matchLabels");
                        Map<String, Object> ns = map(map(peer, "namespaceSelector"), "matchLabels");
                        if (ns.isEmpty()) {
                            assertFalse(
                                    selected(overlay, namespace(policy), pod).isEmpty(),
                                    id(policy) + " " + direction + " peer " + pod + " matches no pod template in "
                                            + overlay);
                        } else {
                            String expected = external.get(ns);
                            assertTrue(
                                    expected != null && expected.equals(label(pod)),
                                    id(policy) + " " + direction + " peer " + ns + " " + pod
                                            + " is none of the documented outside peers " + external);
                        }
                        if (api && direction.equals("ingress")) {
                            apiIngressPeers.add(ns.isEmpty() ? label(pod) : ns + " " + label(pod));
                        }
                    }
                    if (api && direction.equals("ingress") && peers.isEmpty()) {
                        apiIngressPeers.add("anyone");
                    }
                    if (direction.equals("ingress")) {
                        for (Map<String, Object> port : list(rule, "ports")) {
                            if (!(port.get("port") instanceof Number)) {
                                assertTrue(
                                        pods.stream().allMatch(p -> declares(p, port.get("port"))),
                                        id(policy) + " allows port " + port.get("port")
                                                + ", which a selected pod does not declare");
                            }
                        }
                    }
                    if (api && direction.equals("egress")) {
                        assertEquals(
                                List.of(53, 53),
                                list(rule, "ports").stream()
                                        .map(p -> p.get("port"))
                                        .toList(),
                                id(policy) + ": API pods may call the DNS only");
                    }
                }
            }
            if (api && list(spec, "policyTypes").contains("Egress")) {
                assertEquals(1, list(spec, "egress").size(), id(policy) + ": API pods may call the DNS only");
            }
        }
        assertEquals(
                new TreeSet<>(Set.of(
                        "app.kubernetes.io/component=gateway",
                        "{kubernetes.io/metadata.name=monitoring} app.kubernetes.io/name=prometheus")),
                apiIngressPeers,
                overlay + ": who may reach the API pods");
    }

    private static String label(Map<String, Object> matchLabels) {
        return String.join(
                ",",
                matchLabels.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .sorted()
                        .toList());
    }

    /**
     * The gateway image carries the upstream lists kubernetes/gateway/Dockerfile names: the API
     * Services from docker/nginx/upstreams, and its own templates for the candidate's pool and the
     * mirror share, rendered with the gateway's environment. Each server is a Service by its short
     * name, which the pod's DNS search list completes in its own namespace, on a port the Service has;
     * the candidate pool is the candidate's Service where the overlay runs one, and only the shadow
     * overlay mirrors a share of requests.
     */
    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theGatewaysUpstreamsAreTheApiServices(String overlay) throws IOException {
        Map<String, Object> nginx = containers(named(overlay, "Deployment", "gateway")).stream()
                .filter(c -> "nginx".equals(c.get("name")))
                .findFirst()
                .orElseThrow();
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        list(nginx, "env").forEach(e -> settings.put(String.valueOf(e.get("name")), String.valueOf(e.get("value"))));
        Path own = ROOT.resolve("kubernetes/gateway/templates/upstreams");
        Set<String> included = new TreeSet<>();
        for (Path template : sharedTemplates()) {
            Matcher m = INCLUDE_UPSTREAM.matcher(Files.readString(template));
            while (m.find()) {
                included.add(m.group(1));
            }
        }
        assertFalse(included.isEmpty(), "the shared templates include no upstreams/ file");
        for (String file : included) {
            Path template = own.resolve(file + ".template");
            Path list = Files.isRegularFile(template)
                    ? template
                    : ROOT.resolve("docker/nginx/upstreams").resolve(file);
            assertTrue(
                    Files.isRegularFile(list),
                    "nginx/templates include upstreams/" + file + "; the gateway image has no " + list);
            String rendered = substitute(Files.readString(list), settings);
            if (file.equals("delivery.conf")) {
                // Not a server list: no client is answered by the candidate pool, and a share is mirrored
                // to it only where the overlay turns the mirror on (the file it includes).
                assertTrue(
                        rendered.contains("$canary_side { default champion; }"),
                        list + " keeps clients off the candidate: " + rendered);
                Matcher include = INCLUDE_UPSTREAM.matcher(rendered);
                assertTrue(include.find(), list + " includes the mirror's file: " + rendered);
                String mirror = substitute(Files.readString(own.resolve(include.group(1) + ".template")), settings);
                boolean shadow = overlay.equals("production-shadow");
                assertEquals(
                        shadow ? "upstreams/shadow-on.conf" : "upstreams/shadow-off.conf",
                        "upstreams/" + include.group(1),
                        overlay);
                assertTrue(
                        shadow
                                ? mirror.contains("split_clients \"$request_id\" $shadow_on { "
                                        + settings.get("SHADOW_PERCENT") + "% 1; * 0; }")
                                : mirror.contains("$shadow_on { default 0; }"),
                        overlay + " mirrors " + (shadow ? "a share" : "nothing") + ": " + mirror);
                continue;
            }
            Matcher m = UPSTREAM_SERVER.matcher(rendered);
            List<String> servers = new ArrayList<>();
            while (m.find()) {
                String service = m.group(1);
                int port = Integer.parseInt(m.group(2));
                servers.add(service);
                Map<String, Object> svc = named(overlay, "Service", service);
                assertTrue(
                        list(map(svc, "spec"), "ports").stream()
                                .anyMatch(p -> Integer.valueOf(port).equals(p.get("port"))),
                        list + ": Service " + service + " has no port " + port);
                if (file.equals("api-candidate.conf")) {
                    assertEquals(
                            overlay.equals("production-shadow") ? "api-candidate" : "api-v1",
                            service,
                            overlay + ": the candidate pool is the candidate's Service where one runs, else api-v1");
                }
            }
            assertFalse(servers.isEmpty(), list + " names no `server host:port`");
        }
    }

    /** A template as the image's envsubst renders it with SETTINGS: ${NAME} replaced, every one set. */
    private static String substitute(String template, Map<String, String> settings) {
        Matcher m = SETTING.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = settings.get(m.group(1));
            assertTrue(value != null, "the gateway sets no " + m.group(1) + ": " + template);
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }

    /** Every setting the shared templates use is set in the gateway's environment (the entrypoint refuses to start otherwise). */
    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theGatewaySetsEverySettingTheTemplatesUse(String overlay) throws IOException {
        Map<String, Object> nginx =
                containers(named(overlay, "Deployment", "gateway")).get(0);
        Set<String> env = new TreeSet<>();
        list(nginx, "env").forEach(e -> env.add(String.valueOf(e.get("name"))));
        Set<String> missing = new TreeSet<>();
        for (Path template : sharedTemplates()) {
            Matcher m = SETTING.matcher(Files.readString(template));
            while (m.find()) {
                if (!env.contains(m.group(1))) {
                    missing.add(m.group(1) + " (" + template.getFileName() + ")");
                }
            }
        }
        assertTrue(missing.isEmpty(), "settings the templates use but the gateway does not set: " + missing);
    }

    /**
     * The gateway token on a cluster: the gateway and every API pod (v1, v2, a candidate) mount the
     * one Secret generated from `make k8s-secrets`' file where their images' entrypoints read it
     * (/run/secrets/gateway_token: docker/nginx/entrypoint.sh, docker/api/entrypoint.sh), so the
     * servers take X-Request-ID and X-Shadow from the gateway and from no one else.
     */
    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theGatewayAndEveryApiPodMountTheOneGatewayToken(String overlay) {
        List<Map<String, Object>> tokens = ofKind(overlay, "Secret").stream()
                .filter(s -> map(s, "data").containsKey("gateway_token"))
                .toList();
        assertEquals(1, tokens.size(), overlay + ": one Secret holds the gateway token");
        String secret = KubernetesManifests.name(tokens.get(0));
        List<Map<String, Object>> pods = new ArrayList<>();
        pods.add(named(overlay, "Deployment", "gateway"));
        KubernetesManifests.workloads(overlay).stream()
                .filter(w -> "api".equals(podLabels(w).get("app.kubernetes.io/component")))
                .forEach(pods::add);
        assertTrue(pods.size() >= 3, overlay + ": the gateway and the v1 and v2 API pods: " + pods.size());
        for (Map<String, Object> workload : pods) {
            Map<String, Object> pod = map(KubernetesManifests.podTemplate(workload), "spec");
            Set<String> volumes = new TreeSet<>();
            for (Map<String, Object> volume : list(pod, "volumes")) {
                if (volume.containsKey("secret")
                        && secret.equals(map(volume, "secret").get("secretName"))) {
                    volumes.add(String.valueOf(volume.get("name")));
                }
            }
            Map<String, Object> container = containers(workload).get(0);
            boolean mounted = list(container, "volumeMounts").stream()
                    .anyMatch(m -> volumes.contains(String.valueOf(m.get("name")))
                            && "/run/secrets".equals(m.get("mountPath")));
            assertTrue(
                    mounted, id(workload) + "'s " + container.get("name") + " mounts " + secret + " at /run/secrets");
        }
    }

    /**
     * Alertmanager through the operator: one Alertmanager that takes the generated AlertmanagerConfig
     * (its selector matches the config's labels), whose route ends at a receiver it defines, with the
     * settings' webhook only when one is set (none here: its UI and API only); its pods run as a group
     * other than 0, and only Prometheus reaches their web port.
     */
    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void alertmanagerTakesTheGeneratedConfigAndOnlyPrometheusReachesIt(String overlay) {
        List<Map<String, Object>> alertmanagers = ofKind(overlay, "Alertmanager");
        assertEquals(1, alertmanagers.size(), overlay + ": one Alertmanager");
        Map<String, Object> alertmanager = alertmanagers.get(0);
        Map<String, Object> spec = map(alertmanager, "spec");
        List<Map<String, Object>> configs = ofKind(overlay, "AlertmanagerConfig");
        assertEquals(1, configs.size(), overlay + ": one AlertmanagerConfig");
        Map<String, Object> config = configs.get(0);
        assertEquals(namespace(alertmanager), namespace(config));
        assertTrue(
                selects(
                        map(map(spec, "alertmanagerConfigSelector"), "matchLabels"),
                        map(map(config, "metadata"), "labels")),
                id(alertmanager) + " selects " + id(config));
        assertEquals(
                "None",
                map(spec, "alertmanagerConfigMatcherStrategy").get("type"),
                "the rules' alerts have no namespace label: the routes must not require one");
        Map<String, Object> route = map(map(config, "spec"), "route");
        List<Map<String, Object>> receivers = list(map(config, "spec"), "receivers");
        assertTrue(
                receivers.stream().anyMatch(r -> r.get("name").equals(route.get("receiver"))),
                "the route's receiver exists: " + receivers);
        assertEquals(
                List.of(Map.of("name", "stack")),
                receivers,
                "no ALERT_* setting: no receiver but Alertmanager's UI and API");

        Map<String, Object> security = map(spec, "securityContext");
        assertEquals(Boolean.TRUE, security.get("runAsNonRoot"));
        for (String field : List.of("runAsUser", "runAsGroup", "fsGroup")) {
            assertTrue(
                    security.get(field) instanceof Integer id && id > 0,
                    id(alertmanager) + " " + field + ": " + security.get(field));
        }

        List<Map<String, Object>> policies = ofKind(overlay, "NetworkPolicy").stream()
                .filter(p -> !alertmanagerPodsSelected(
                                overlay, namespace(p), map(map(map(p, "spec"), "podSelector"), "matchLabels"))
                        .isEmpty())
                .toList();
        assertEquals(1, policies.size(), overlay + ": one NetworkPolicy for the Alertmanager pods");
        Map<String, Object> policy = map(policies.get(0), "spec");
        assertEquals(List.of("Ingress"), policy.get("policyTypes"));
        List<Map<String, Object>> ingress = list(policy, "ingress");
        assertEquals(1, ingress.size());
        assertEquals(
                List.of(Map.of("port", 9093, "protocol", "TCP")), ingress.get(0).get("ports"), "the web port only");
        assertEquals(
                "app.kubernetes.io/name=prometheus",
                label(map(map(list(ingress.get(0), "from").get(0), "podSelector"), "matchLabels")),
                "Prometheus alone");
    }
}

package org.mlgateway.e2e;

import static org.mlgateway.e2e.KubernetesManifests.containers;
import static org.mlgateway.e2e.KubernetesManifests.id;
import static org.mlgateway.e2e.KubernetesManifests.list;
import static org.mlgateway.e2e.KubernetesManifests.map;
import static org.mlgateway.e2e.KubernetesManifests.named;
import static org.mlgateway.e2e.KubernetesManifests.ofKind;
import static org.mlgateway.e2e.KubernetesManifests.podLabels;
import static org.mlgateway.e2e.KubernetesManifests.podTemplate;
import static org.mlgateway.e2e.KubernetesManifests.selects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The sizes each overlay promises, and the hardening every API pod gets. */
class KubernetesShapeTest {

    static final List<String> OVERLAYS = KubernetesManifests.OVERLAYS;

    private static Object replicas(String overlay, String deployment) {
        return map(named(overlay, "Deployment", deployment), "spec").get("replicas");
    }

    @Test
    void productionRunsThreeV1OneV2AndTheAutoscalerKeepsThreeOnCpu() {
        assertEquals(3, replicas("production", "api-v1"));
        assertEquals(1, replicas("production", "api-v2"));
        Map<String, Object> hpa = map(named("production", "HorizontalPodAutoscaler", "api-v1"), "spec");
        assertEquals(3, hpa.get("minReplicas"));
        assertEquals("api-v1", map(hpa, "scaleTargetRef").get("name"));
        assertEquals("cpu", map(list(hpa, "metrics").get(0), "resource").get("name"));
    }

    @Test
    void devRunsOneOfEach() {
        for (Map<String, Object> deployment : ofKind("dev", "Deployment")) {
            assertEquals(1, map(deployment, "spec").get("replicas"), id(deployment));
        }
        assertEquals(1, map(named("dev", "HorizontalPodAutoscaler", "api-v1"), "spec").get("minReplicas"));
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void apiPodsAreHardenedNamedAfterThePodAndSpreadWithADisruptionBudget(String overlay) {
        for (String name : List.of("api-v1", "api-v2")) {
            Map<String, Object> deployment = named(overlay, "Deployment", name);
            Map<String, Object> pod = map(podTemplate(deployment), "spec");
            Map<String, Object> podSecurity = map(pod, "securityContext");
            assertEquals(true, podSecurity.get("runAsNonRoot"), name);
            assertEquals("RuntimeDefault", map(podSecurity, "seccompProfile").get("type"), name);
            for (Map<String, Object> c : list(pod, "initContainers")) {
                assertHardened(name + " init " + c.get("name"), c);
            }
            Map<String, Object> api = containers(deployment).get(0);
            assertHardened(name, api);
            Set<Object> writable = list(api, "volumeMounts").stream().map(m -> m.get("mountPath")).collect(Collectors.toSet());
            assertEquals(Set.of("/opt/ol/wlp/output", "/logs", "/tmp"), writable, name + ": the paths Liberty writes");
            Map<String, Object> instance = list(api, "env").stream().filter(e -> "API_INSTANCE_NAME".equals(e.get("name")))
                    .findFirst().orElseThrow(() -> new AssertionError(name + " sets no API_INSTANCE_NAME"));
            assertEquals("metadata.name", map(map(instance, "valueFrom"), "fieldRef").get("fieldPath"), name);
            Map<String, Object> resources = map(api, "resources");
            assertTrue(map(resources, "limits").containsKey("memory") && map(resources, "requests").containsKey("memory"), name + " memory");
            assertFalse(list(pod, "topologySpreadConstraints").isEmpty(), name + " spreads over nodes");
            assertTrue(ofKind(overlay, "PodDisruptionBudget").stream().anyMatch(
                    pdb -> selects(map(map(pdb, "spec"), "selector").isEmpty() ? Map.of("x", "y")
                            : map(map(map(pdb, "spec"), "selector"), "matchLabels"), podLabels(deployment))),
                    name + " has a PodDisruptionBudget");
        }
    }

    private static void assertHardened(String where, Map<String, Object> container) {
        Map<String, Object> security = map(container, "securityContext");
        assertEquals(true, security.get("readOnlyRootFilesystem"), where + " readOnlyRootFilesystem");
        assertEquals(false, security.get("allowPrivilegeEscalation"), where + " allowPrivilegeEscalation");
        assertEquals(List.of("ALL"), map(security, "capabilities").get("drop"), where + " drops all capabilities");
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theGatewayIsALoadBalancerOn80And443WithTheExporterBesideIt(String overlay) {
        Map<String, Object> service = map(named(overlay, "Service", "gateway"), "spec");
        assertEquals("LoadBalancer", service.get("type"));
        assertEquals(List.of(80, 443), list(service, "ports").stream().map(p -> p.get("port")).toList());
        assertEquals(List.of("nginx", "exporter"),
                containers(named(overlay, "Deployment", "gateway")).stream().map(c -> c.get("name")).toList());
    }
}

package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mlgateway.e2e.KubernetesManifests.containers;
import static org.mlgateway.e2e.KubernetesManifests.id;
import static org.mlgateway.e2e.KubernetesManifests.list;
import static org.mlgateway.e2e.KubernetesManifests.map;
import static org.mlgateway.e2e.KubernetesManifests.named;
import static org.mlgateway.e2e.KubernetesManifests.ofKind;
import static org.mlgateway.e2e.KubernetesManifests.podLabels;
import static org.mlgateway.e2e.KubernetesManifests.podTemplate;
import static org.mlgateway.e2e.KubernetesManifests.selects;
import static org.mlgateway.e2e.KubernetesManifests.workload;
import static org.mlgateway.e2e.KubernetesManifests.workloads;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The sizes each overlay promises, and the hardening every pod gets. */
class KubernetesShapeTest {

    static final List<String> OVERLAYS = KubernetesManifests.OVERLAYS;
    static final List<String> PRODUCTION = List.of("production-deployment", "production", "production-shadow");

    private static Object replicas(String overlay, String name) {
        return map(workload(overlay, name), "spec").get("replicas");
    }

    @ParameterizedTest
    @FieldSource("PRODUCTION")
    void productionRunsThreeV1OneV2AndTheAutoscalerKeepsThreeOnCpu(String overlay) {
        assertEquals(3, replicas(overlay, "api-v1"));
        assertEquals(1, replicas(overlay, "api-v2"));
        assertEquals(2, replicas(overlay, "gateway"));
        Map<String, Object> hpa = map(named(overlay, "HorizontalPodAutoscaler", "api-v1"), "spec");
        assertEquals(3, hpa.get("minReplicas"));
        Map<String, Object> target = map(hpa, "scaleTargetRef");
        Map<String, Object> v1 = workload(overlay, "api-v1");
        assertEquals(
                List.of(v1.get("apiVersion"), v1.get("kind"), "api-v1"),
                List.of(target.get("apiVersion"), target.get("kind"), target.get("name")),
                overlay + ": the autoscaler scales what runs api-v1");
        assertEquals("cpu", map(list(hpa, "metrics").get(0), "resource").get("name"));
    }

    @Test
    void theRolloutOverlaysRunApiV1AsARolloutAndTheOthersAsADeployment() {
        for (String overlay : OVERLAYS) {
            boolean rollout = KubernetesManifests.ROLLOUT_OVERLAYS.contains(overlay);
            assertEquals(
                    rollout ? "Rollout" : "Deployment",
                    workload(overlay, "api-v1").get("kind"),
                    overlay);
            assertEquals(
                    1,
                    workloads(overlay).stream()
                            .filter(w -> "api-v1".equals(KubernetesManifests.name(w)))
                            .count(),
                    overlay + ": api-v1 runs once, as a Rollout or a Deployment, never both");
        }
        // The Rollout's pod is the base Deployment's, after the overlay: one definition of the API pod.
        Map<String, Object> deployment = podTemplate(workload("production-deployment", "api-v1"));
        assertEquals(
                deployment,
                podTemplate(workload("production", "api-v1")),
                "the Rollout runs the Deployment's pod template");
    }

    @Test
    void devRunsOneOfEach() {
        for (Map<String, Object> deployment : ofKind("dev", "Deployment")) {
            assertEquals(1, map(deployment, "spec").get("replicas"), id(deployment));
        }
        assertEquals(
                1,
                map(named("dev", "HorizontalPodAutoscaler", "api-v1"), "spec").get("minReplicas"));
    }

    /** The API workloads of an overlay: v1, v2 and, in the shadow overlay, the candidate. */
    private static List<Map<String, Object>> apiWorkloads(String overlay) {
        return workloads(overlay).stream()
                .filter(w -> "api".equals(podLabels(w).get("app.kubernetes.io/component")))
                .toList();
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void apiPodsAreHardenedNamedAfterThePodAndSpreadWithADisruptionBudget(String overlay) {
        List<String> names = apiWorkloads(overlay).stream()
                .map(KubernetesManifests::name)
                .sorted()
                .toList();
        assertEquals(
                overlay.equals("production-shadow")
                        ? List.of("api-candidate", "api-v1", "api-v2")
                        : List.of("api-v1", "api-v2"),
                names);
        for (Map<String, Object> workload : apiWorkloads(overlay)) {
            String name = id(workload);
            Map<String, Object> pod = map(podTemplate(workload), "spec");
            Map<String, Object> api = containers(workload).get(0);
            Set<Object> writable = list(api, "volumeMounts").stream()
                    .filter(m -> !Boolean.TRUE.equals(m.get("readOnly")))
                    .map(m -> m.get("mountPath"))
                    .collect(Collectors.toSet());
            assertEquals(Set.of("/opt/ol/wlp/output", "/logs", "/tmp"), writable, name + ": the paths Liberty writes");
            Map<String, Object> instance = list(api, "env").stream()
                    .filter(e -> "API_INSTANCE_NAME".equals(e.get("name")))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(name + " sets no API_INSTANCE_NAME"));
            assertEquals(
                    "metadata.name", map(map(instance, "valueFrom"), "fieldRef").get("fieldPath"), name);
            Map<String, Object> resources = map(api, "resources");
            assertTrue(
                    map(resources, "limits").containsKey("memory")
                            && map(resources, "requests").containsKey("memory"),
                    name + " memory");
            assertFalse(list(pod, "topologySpreadConstraints").isEmpty(), name + " spreads over nodes");
            assertTrue(
                    ofKind(overlay, "PodDisruptionBudget").stream()
                            .anyMatch(pdb -> selects(
                                    map(map(pdb, "spec"), "selector").isEmpty()
                                            ? Map.of("x", "y")
                                            : map(map(map(pdb, "spec"), "selector"), "matchLabels"),
                                    podLabels(workload))),
                    name + " has a PodDisruptionBudget");
        }
    }

    /**
     * Every pod meets Pod Security "restricted", which the namespace enforces, so none is refused
     * at admission: non-root with a user and group that are not 0, seccomp RuntimeDefault, no
     * privilege escalation, every capability dropped, a read-only root file system, only the
     * volume types the profile allows.
     *   https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
     */
    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyPodMeetsPodSecurityRestrictedWithNoGroupZero(String overlay) {
        Map<String, Object> namespace = ofKind(overlay, "Namespace").get(0);
        Map<String, Object> labels = map(map(namespace, "metadata"), "labels");
        for (String mode : List.of("enforce", "audit", "warn")) {
            assertEquals(
                    "restricted",
                    labels.get("pod-security.kubernetes.io/" + mode),
                    overlay + ": namespace label " + mode);
        }
        Set<String> allowedVolumes = Set.of(
                "name",
                "configMap",
                "csi",
                "downwardAPI",
                "emptyDir",
                "ephemeral",
                "persistentVolumeClaim",
                "projected",
                "secret");
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> workload : workloads(overlay)) {
            Map<String, Object> pod = map(podTemplate(workload), "spec");
            Map<String, Object> podSecurity = map(pod, "securityContext");
            String where = id(workload);
            if (!"RuntimeDefault".equals(map(podSecurity, "seccompProfile").get("type"))) {
                problems.add(where + ": seccompProfile is not RuntimeDefault");
            }
            for (String field : List.of("runAsUser", "runAsGroup", "fsGroup")) {
                if (!(podSecurity.get(field) instanceof Number n) || n.longValue() == 0) {
                    problems.add(where + ": pod " + field + " is " + podSecurity.get(field) + ", not a non-zero id");
                }
            }
            if (pod.containsKey("hostNetwork") || pod.containsKey("hostPID") || pod.containsKey("hostIPC")) {
                problems.add(where + ": shares a host namespace");
            }
            for (Map<String, Object> volume : list(pod, "volumes")) {
                if (!allowedVolumes.containsAll(volume.keySet())) {
                    problems.add(where + ": volume " + volume.get("name") + " is of a type restricted refuses: "
                            + volume.keySet());
                }
            }
            for (Map<String, Object> c : Stream.concat(
                            list(pod, "initContainers").stream(), list(pod, "containers").stream())
                    .toList()) {
                String at = where + " container " + c.get("name");
                Map<String, Object> security = map(c, "securityContext");
                boolean nonRoot =
                        Boolean.TRUE.equals(security.getOrDefault("runAsNonRoot", podSecurity.get("runAsNonRoot")));
                Object user = security.getOrDefault("runAsUser", podSecurity.get("runAsUser"));
                Object group = security.getOrDefault("runAsGroup", podSecurity.get("runAsGroup"));
                if (!nonRoot) {
                    problems.add(at + ": runAsNonRoot is not true");
                }
                if (!(user instanceof Number u)
                        || u.longValue() == 0
                        || !(group instanceof Number g)
                        || g.longValue() == 0) {
                    problems.add(at + ": runs as user " + user + ", group " + group);
                }
                if (!Boolean.FALSE.equals(security.get("allowPrivilegeEscalation"))) {
                    problems.add(at + ": allowPrivilegeEscalation is not false");
                }
                if (!List.of("ALL").equals(map(security, "capabilities").get("drop"))
                        || map(security, "capabilities").containsKey("add")) {
                    problems.add(at + ": does not drop every capability, or adds one");
                }
                if (!Boolean.TRUE.equals(security.get("readOnlyRootFilesystem"))) {
                    problems.add(at + ": the root file system is writable");
                }
                if (Boolean.TRUE.equals(security.get("privileged"))
                        || list(c, "ports").stream().anyMatch(p -> p.containsKey("hostPort"))) {
                    problems.add(at + ": privileged or on a host port");
                }
            }
        }
        assertEquals(List.of(), problems, overlay + ": what Pod Security restricted refuses, or a group 0");
        assertNotEquals(0, workloads(overlay).size());
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theGatewayIsALoadBalancerOn80And443WithTheExporterBesideIt(String overlay) {
        Map<String, Object> service = map(named(overlay, "Service", "gateway"), "spec");
        assertEquals("LoadBalancer", service.get("type"));
        assertEquals(
                List.of(80, 443),
                list(service, "ports").stream().map(p -> p.get("port")).toList());
        assertEquals(
                List.of("nginx", "exporter"),
                containers(named(overlay, "Deployment", "gateway")).stream()
                        .map(c -> c.get("name"))
                        .toList());
    }
}

package org.mlgateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.Alertmanager;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every rendered object is a valid object of its API: read into the fabric8 Kubernetes model (the
 * typed classes generated from the Kubernetes OpenAPI schema, and from the Prometheus Operator's CRD
 * schema for PodMonitor, ServiceMonitor and PrometheusRule) with unknown fields rejected, so a
 * misspelt or misplaced field, a wrong type or an unknown apiVersion/kind fails here instead of on
 * `kubectl apply`. Argo Rollouts' kinds (Rollout, AnalysisTemplate) are checked against Argo's own
 * schema by KubernetesArgoRolloutsTest; here the Rollout's pod template, a core object, is read into
 * the core model like a Deployment's.
 */
class KubernetesSchemaTest {

    static final List<String> OVERLAYS = KubernetesManifests.OVERLAYS;

    /** apiVersion + kind to its model class: a kind this project renders but no class covers fails. */
    private static final Map<String, Class<? extends HasMetadata>> MODEL = Map.ofEntries(
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("monitoring.coreos.com/v1/PodMonitor", PodMonitor.class),
            Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class),
            Map.entry("monitoring.coreos.com/v1/Alertmanager", Alertmanager.class),
            Map.entry(
                    "monitoring.coreos.com/v1alpha1/AlertmanagerConfig",
                    io.fabric8.openshift.api.model.monitoring.v1alpha1.AlertmanagerConfig.class));

    /**
     * The model classes keep unknown fields in an "additionalProperties" map (@JsonAnySetter) rather
     * than fail; without that catch-all, FAIL_ON_UNKNOWN_PROPERTIES names the field and its path.
     */
    static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
            .registerModule(
                    new SimpleModule("reject-unknown-fields").setDeserializerModifier(new BeanDeserializerModifier() {
                        @Override
                        public BeanDeserializerBuilder updateBuilder(
                                DeserializationConfig config, BeanDescription bean, BeanDeserializerBuilder builder) {
                            builder.setAnySetter(null);
                            return builder;
                        }
                    }));

    /** Checked against Argo Rollouts' schema in KubernetesArgoRolloutsTest. */
    static final java.util.Set<String> ARGO =
            java.util.Set.of("argoproj.io/v1alpha1/Rollout", "argoproj.io/v1alpha1/AnalysisTemplate");

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void everyObjectIsValidForItsApiSchema(String overlay) {
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> object : KubernetesManifests.objects(overlay)) {
            String type = object.get("apiVersion") + "/" + object.get("kind");
            if (ARGO.contains(type)) {
                if ("Rollout".equals(object.get("kind"))) {
                    try {
                        STRICT.convertValue(
                                KubernetesManifests.podTemplate(object),
                                io.fabric8.kubernetes.api.model.PodTemplateSpec.class);
                    } catch (IllegalArgumentException e) {
                        problems.add(KubernetesManifests.id(object) + " pod template: "
                                + e.getMessage().lines().findFirst().orElse(""));
                    }
                }
                continue;
            }
            Class<? extends HasMetadata> model = MODEL.get(type);
            if (model == null) {
                problems.add(KubernetesManifests.id(object) + ": no schema for " + type);
                continue;
            }
            try {
                HasMetadata typed = STRICT.convertValue(object, model);
                assertEquals(object.get("kind"), typed.getKind());
            } catch (IllegalArgumentException e) {
                problems.add(KubernetesManifests.id(object) + ": "
                        + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        assertTrue(problems.isEmpty(), overlay + " renders objects its API rejects:\n" + String.join("\n", problems));
    }

    @ParameterizedTest
    @FieldSource("OVERLAYS")
    void theOverlayRendersEveryKindOfTheDesign(String overlay) {
        List<String> kinds = KubernetesManifests.objects(overlay).stream()
                .map(o -> String.valueOf(o.get("kind")))
                .distinct()
                .toList();
        for (String kind : List.of(
                "Namespace",
                "Deployment",
                "Service",
                "PodDisruptionBudget",
                "HorizontalPodAutoscaler",
                "NetworkPolicy",
                "Secret",
                "ConfigMap",
                "PodMonitor",
                "PrometheusRule",
                "Alertmanager",
                "AlertmanagerConfig")) {
            assertTrue(kinds.contains(kind), overlay + " renders no " + kind + " (it renders " + kinds + ")");
        }
    }
}

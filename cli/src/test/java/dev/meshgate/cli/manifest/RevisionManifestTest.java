package dev.meshgate.cli.manifest;

import static dev.meshgate.cli.manifest.ManifestGenerateTest.byKindAndName;
import static dev.meshgate.cli.manifest.ManifestGenerateTest.generate;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import dev.meshgate.cli.manifest.ManifestGenerateTest.Generated;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * {@code --set revision=canary}: the revision's objects beside the default one's, and which injector the API server
 * calls for a pod, by the label selectors of both revisions' MutatingWebhookConfigurations evaluated as the API server
 * evaluates them (no API server runs here: the selection rules are Kubernetes' label-selector semantics, applied by
 * {@link #matches}). The canary control plane's answer to a real AdmissionReview is
 * config-server's RevisionInjectionTest, started with the arguments asserted here.
 */
class RevisionManifestTest {

    @Test
    void aRevisionsObjectsAreSuffixedAndItsControlPlaneIsToldItsNames() throws Exception {
        Map<String, JsonNode> objects = objects("--set", "revision=canary");
        assertThat(objects).containsKeys("Deployment/istiod-canary", "Service/istiod-canary",
                "ServiceAccount/istiod-canary", "PodDisruptionBudget/istiod-canary", "ConfigMap/istio-canary",
                "ClusterRole/meshgate-control-plane-canary", "MutatingWebhookConfiguration/istio-sidecar-injector-canary",
                "ValidatingWebhookConfiguration/istio-validator-canary-istio-system", "Deployment/istio-ingressgateway-canary");
        assertThat(objects.keySet()).noneMatch(k -> k.equals("Deployment/istiod") || k.equals("ConfigMap/istio"));
        JsonNode deployment = objects.get("Deployment/istiod-canary");
        assertThat(deployment.at("/spec/selector/matchLabels").toString())
                .isEqualTo("{\"app\":\"istiod\",\"istio.io/rev\":\"canary\"}");
        assertThat(objects.get("Service/istiod-canary").at("/spec/selector"))
                .isEqualTo(deployment.at("/spec/selector/matchLabels"));
        assertThat(deployment.at("/spec/template/spec/containers/0/args").toString()).contains(
                "--meshgate.control-plane.webhook.revision=canary",
                "--meshgate.control-plane.webhook.service=istiod-canary",
                "--meshgate.control-plane.webhook.validating-configuration=istio-validator-canary-istio-system",
                "--meshgate.control-plane.webhook.injector-configuration=istio-sidecar-injector-canary",
                "--meshgate.control-plane.kubernetes.mesh-config-name=istio-canary",
                "--meshgate.control-plane.kubernetes.leader-election.lease-name=istio-status-leader-canary");
        // The leader may patch its own webhook configurations only.
        JsonNode role = objects.get("ClusterRole/meshgate-control-plane-canary");
        assertThat(ManifestGenerateTest.rule(role, "admissionregistration.k8s.io", "mutatingwebhookconfigurations")
                .path("resourceNames").toString())
                .isEqualTo("[\"istio-validator-canary-istio-system\",\"istio-sidecar-injector-canary\"]");
        objects.get("MutatingWebhookConfiguration/istio-sidecar-injector-canary").path("webhooks").forEach(w ->
                assertThat(w.at("/clientConfig/service/name").asString()).isEqualTo("istiod-canary"));
        assertThat(objects.get("Deployment/istio-ingressgateway-canary").at("/spec/template/spec/containers/0/args")
                .toString()).contains("--meshgate.proxy.discovery-address=istiod-canary.istio-system.svc:15012");
        // The CRDs and namespace are the same objects whichever revision renders them.
        Map<String, JsonNode> defaults = objects();
        assertThat(objects.get("CustomResourceDefinition/virtualservices.networking.istio.io"))
                .isEqualTo(defaults.get("CustomResourceDefinition/virtualservices.networking.istio.io"));
    }

    @Test
    void theNamespaceOrPodLabelPicksExactlyOneRevisionsInjectorAsIstiosSelectorsDo() throws Exception {
        List<JsonNode> injectors = List.of(
                objects().get("MutatingWebhookConfiguration/istio-sidecar-injector"),
                objects("--set", "revision=canary").get("MutatingWebhookConfiguration/istio-sidecar-injector-canary"));
        String none = "";
        String byDefault = "istio-sidecar-injector";
        String canary = "istio-sidecar-injector-canary";
        assertThat(called(injectors, Map.of("istio-injection", "enabled"), Map.of())).isEqualTo(byDefault);
        assertThat(called(injectors, Map.of("istio.io/rev", "canary"), Map.of())).isEqualTo(canary);
        assertThat(called(injectors, Map.of("istio.io/rev", "default"), Map.of())).isEqualTo(byDefault);
        assertThat(called(injectors, Map.of(), Map.of("istio.io/rev", "canary"))).isEqualTo(canary);
        assertThat(called(injectors, Map.of(), Map.of("sidecar.istio.io/inject", "true"))).isEqualTo(byDefault);
        assertThat(called(injectors, Map.of(), Map.of())).isEqualTo(none);
        assertThat(called(injectors, Map.of("istio.io/rev", "canary"), Map.of("sidecar.istio.io/inject", "false")))
                .isEqualTo(none);
        // istio-injection=enabled wins over istio.io/rev, on the namespace or on the pod, as in Istio.
        assertThat(called(injectors, Map.of("istio-injection", "enabled", "istio.io/rev", "canary"), Map.of()))
                .isEqualTo(byDefault);
        assertThat(called(injectors, Map.of("istio-injection", "enabled"), Map.of("istio.io/rev", "canary")))
                .isEqualTo(byDefault);
        // A namespace of one revision, a pod of another: the namespace's.
        assertThat(called(injectors, Map.of("istio.io/rev", "canary"), Map.of("istio.io/rev", "default")))
                .isEqualTo(canary);
        assertThat(called(injectors, Map.of("istio-injection", "disabled"), Map.of("sidecar.istio.io/inject", "true")))
                .isEqualTo(none);
    }

    @Test
    void aRevisionsValidatorJudgesTheResourcesLabelledWithItAndTheDefaultOneTheRest() throws Exception {
        JsonNode byDefault = objects().get("ValidatingWebhookConfiguration/istio-validator-istio-system");
        JsonNode canary = objects("--set", "revision=canary")
                .get("ValidatingWebhookConfiguration/istio-validator-canary-istio-system");
        List<JsonNode> validators = List.of(byDefault, canary);
        assertThat(called(validators, Map.of(), Map.of())).isEqualTo("istio-validator-istio-system");
        assertThat(called(validators, Map.of(), Map.of("istio.io/rev", "canary")))
                .isEqualTo("istio-validator-canary-istio-system");
        assertThat(called(validators, Map.of(), Map.of("istio.io/rev", "default")))
                .isEqualTo("istio-validator-istio-system");
    }

    /** The configurations with a webhook the API server would call for this object (comma-separated). */
    private static String called(List<JsonNode> configurations, Map<String, String> namespace,
            Map<String, String> object) {
        TreeSet<String> called = new TreeSet<>();
        for (JsonNode configuration : configurations) {
            for (JsonNode webhook : configuration.path("webhooks")) {
                if (matches(webhook.path("namespaceSelector"), namespace)
                        && matches(webhook.path("objectSelector"), object)) {
                    called.add(configuration.at("/metadata/name").asString());
                }
            }
        }
        return String.join(",", called);
    }

    /** Kubernetes' LabelSelector: every matchLabels entry and every matchExpressions requirement holds. */
    static boolean matches(JsonNode selector, Map<String, String> labels) {
        for (var entry : selector.path("matchLabels").properties()) {
            if (!entry.getValue().asString().equals(labels.get(entry.getKey()))) {
                return false;
            }
        }
        for (JsonNode requirement : selector.path("matchExpressions")) {
            String value = labels.get(requirement.path("key").asString());
            List<String> values = new ArrayList<>();
            requirement.path("values").forEach(v -> values.add(v.asString()));
            boolean holds = switch (requirement.path("operator").asString()) {
                case "In" -> value != null && values.contains(value);
                case "NotIn" -> value == null || !values.contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new AssertionError("operator " + requirement);
            };
            if (!holds) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, JsonNode> objects(String... args) throws Exception {
        Generated run = generate(args);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return byKindAndName(run.out());
    }
}

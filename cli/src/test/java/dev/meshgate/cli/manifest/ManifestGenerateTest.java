package dev.meshgate.cli.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.meshgate.cli.Meshctl;
import dev.meshgate.core.resource.Kind;
import dev.meshgate.core.security.pki.CertificateIssuer;
import dev.meshgate.core.security.pki.Pem;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** {@code meshctl manifest generate}: the printed install parsed back, object by object. */
class ManifestGenerateTest {

    static final YAMLMapper YAML = YAMLMapper.builder().build();

    @Test
    void theInstallHasTheNamespaceCrdsRbacControlPlaneAndWebhooksWhoseCaBundleTheControlPlaneFillsIn()
            throws Exception {
        Generated run = generate();
        assertThat(run.exitCode).isZero();
        assertThat(run.err).contains("caBundle is left empty for the control plane to fill in");
        Map<String, JsonNode> objects = byKindAndName(run.out);
        assertThat(objects).containsKeys("Namespace/istio-system", "ServiceAccount/istiod",
                "ClusterRole/meshgate-control-plane", "ClusterRoleBinding/meshgate-control-plane", "Deployment/istiod",
                "Service/istiod", "PodDisruptionBudget/istiod", "ConfigMap/istio",
                "MutatingWebhookConfiguration/istio-sidecar-injector",
                "ValidatingWebhookConfiguration/istio-validator-istio-system");
        objects.get("MutatingWebhookConfiguration/istio-sidecar-injector").path("webhooks").forEach(webhook ->
                assertThat(webhook.at("/clientConfig/caBundle").asString()).isEmpty());
        assertThat(objects.get("ValidatingWebhookConfiguration/istio-validator-istio-system")
                .at("/webhooks/0/clientConfig/caBundle").asString()).isEmpty();
        assertThat(documents(run.out).get(0).path("kind").asString()).isEqualTo("Namespace");

        for (Kind kind : Kind.values()) {
            JsonNode crd = objects.get("CustomResourceDefinition/" + kind.plural() + "." + kind.group());
            assertThat(crd).as(kind.name()).isNotNull();
            assertThat(crd.at("/spec/names/kind").asString()).isEqualTo(kind.name());
            assertThat(crd.at("/spec/scope").asString()).isEqualTo("Namespaced");
            List<String> served = new ArrayList<>();
            List<String> stored = new ArrayList<>();
            crd.at("/spec/versions").forEach(v -> {
                served.add(v.path("name").asString());
                if (v.path("storage").asBoolean()) {
                    stored.add(v.path("name").asString());
                }
                assertThat(v.at("/schema/openAPIV3Schema/properties/spec/x-kubernetes-preserve-unknown-fields")
                        .asBoolean()).isTrue();
                // Typed at the top level (CrdSchemaTest judges resources with it).
                assertThat(v.at("/schema/openAPIV3Schema/properties/spec/properties")).isNotEmpty();
            });
            assertThat(served).containsExactlyInAnyOrderElementsOf(kind.versions());
            assertThat(stored).containsExactly("v1");
        }
        assertThat(objects.keySet().stream().filter(k -> k.startsWith("CustomResourceDefinition/")))
                .hasSize(Kind.values().length);

        JsonNode role = objects.get("ClusterRole/meshgate-control-plane");
        assertThat(rule(role, "", "services").path("verbs").toString()).isEqualTo("[\"get\",\"list\",\"watch\"]");
        assertThat(rule(role, "discovery.k8s.io", "endpointslices").path("verbs").toString())
                .isEqualTo("[\"get\",\"list\",\"watch\"]");
        // Every Istio kind the config source watches, of its own group: list/watch, and patch of its status only.
        for (Kind kind : Kind.values()) {
            assertThat(rule(role, kind.group(), kind.plural()).path("verbs").toString()).as(kind.name())
                    .isEqualTo("[\"get\",\"list\",\"watch\"]");
            assertThat(rule(role, kind.group(), kind.plural() + "/status").path("verbs").toString()).as(kind.name())
                    .isEqualTo("[\"get\",\"patch\",\"update\"]");
        }
        assertThat(rule(role, "security.istio.io", "authorizationpolicies").path("resources").toString())
                .isEqualTo("[\"authorizationpolicies\",\"requestauthentications\",\"peerauthentications\"]");
        assertThat(rule(role, "telemetry.istio.io", "telemetries").path("resources").toString())
                .isEqualTo("[\"telemetries\"]");
        List<String> configMapVerbs = new ArrayList<>();
        role.path("rules").forEach(r -> {
            if (r.path("resources").toString().equals("[\"configmaps\"]")) {
                r.path("verbs").forEach(v -> configMapVerbs.add(v.asString()));
            }
        });
        assertThat(configMapVerbs).containsExactly("create", "update");
        assertThat(rule(role, "authentication.k8s.io", "tokenreviews").path("verbs").toString())
                .isEqualTo("[\"create\"]");
        JsonNode webhooks = rule(role, "admissionregistration.k8s.io", "mutatingwebhookconfigurations");
        assertThat(webhooks.path("resourceNames").toString())
                .isEqualTo("[\"istio-validator-istio-system\",\"istio-sidecar-injector\"]");
        assertThat(webhooks.path("verbs").toString()).isEqualTo("[\"get\",\"patch\"]");
        JsonNode leader = objects.get("Role/meshgate-control-plane-leader");
        assertThat(leader.at("/metadata/namespace").asString()).isEqualTo("istio-system");
        assertThat(leader.at("/rules/0/apiGroups").toString()).isEqualTo("[\"coordination.k8s.io\"]");
        assertThat(leader.at("/rules/0/resources").toString()).isEqualTo("[\"leases\"]");
        assertThat(leader.at("/rules/0/verbs").toString()).isEqualTo("[\"get\",\"create\",\"update\"]");
        assertThat(objects.get("RoleBinding/meshgate-control-plane-leader").at("/subjects/0/name").asString())
                .isEqualTo("istiod");

        JsonNode deployment = objects.get("Deployment/istiod");
        // Two replicas sharing the cacerts Secret's CA, one of them kept through voluntary disruptions.
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        JsonNode budget = objects.get("PodDisruptionBudget/istiod");
        assertThat(budget.at("/spec/minAvailable").asInt()).isEqualTo(1);
        assertThat(budget.at("/spec/selector/matchLabels")).isEqualTo(deployment.at("/spec/selector/matchLabels"));
        assertThat(deployment.at("/spec/template/metadata/labels").toString()).contains("\"app\":\"istiod\"",
                "\"istio.io/rev\":\"default\"");
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        assertThat(container.path("image").asString()).isEqualTo("meshgate/config-server:0.1.0-SNAPSHOT");
        assertThat(container.path("args").toString()).contains("--meshgate.control-plane.config-source=kubernetes",
                "--meshgate.control-plane.webhook.enabled=true", "--meshgate.control-plane.ca-dir=/etc/cacerts")
                .doesNotContain("plaintext"); // injected sidecars use TLS 15012 with their service-account token
        assertThat(deployment.at("/spec/template/spec/volumes/0/secret/secretName").asString()).isEqualTo("cacerts");
        assertThat(objects.get("ConfigMap/istio").at("/data/mesh").asString())
                .isEqualTo("rootNamespace: istio-system\ntrustDomain: cluster.local\n");
        Map<Integer, Integer> ports = new TreeMap<>();
        objects.get("Service/istiod").at("/spec/ports").forEach(p -> ports.put(p.path("port").asInt(),
                p.path("targetPort").asInt()));
        assertThat(ports).isEqualTo(Map.of(443, 15017, 15010, 15010, 15012, 15012, 15014, 15010));
    }

    /** The one rule of {@code role} granting {@code resource} of {@code group}. */
    static JsonNode rule(JsonNode role, String group, String resource) {
        List<JsonNode> rules = new ArrayList<>();
        role.path("rules").forEach(rule -> {
            List<String> groups = new ArrayList<>();
            List<String> resources = new ArrayList<>();
            rule.path("apiGroups").forEach(g -> groups.add(g.asString()));
            rule.path("resources").forEach(r -> resources.add(r.asString()));
            if (groups.contains(group) && resources.contains(resource)) {
                rules.add(rule);
            }
        });
        assertThat(rules).as(group + " " + resource).hasSize(1);
        return rules.get(0);
    }

    @Test
    void withTheCaRootTheWebhooksCarryItAsCaBundleAndTheControlPlaneUsesTheCacertsSecret(@TempDir Path dir)
            throws Exception {
        String rootPem = Pem.encodeCertificates(List.of(CertificateIssuer.selfSignedRoot("meshgate", Instant.now(),
                Duration.ofDays(1)).root()));
        Path root = dir.resolve("root-cert.pem");
        Files.writeString(root, rootPem);
        Generated run = generate("--ca-cert", root.toString());
        assertThat(run.exitCode).as(run.err).isZero();
        Map<String, JsonNode> objects = byKindAndName(run.out);

        JsonNode validator = objects.get("ValidatingWebhookConfiguration/istio-validator-istio-system");
        assertThat(new String(Base64.getDecoder().decode(validator.at("/webhooks/0/clientConfig/caBundle").asString()),
                StandardCharsets.UTF_8)).isEqualTo(rootPem);
        assertThat(validator.at("/webhooks/0/clientConfig/service/path").asString()).isEqualTo("/validate");
        assertThat(validator.at("/webhooks/0/rules/0/apiGroups").toString())
                .isEqualTo("[\"networking.istio.io\",\"security.istio.io\",\"telemetry.istio.io\"]");

        JsonNode injector = objects.get("MutatingWebhookConfiguration/istio-sidecar-injector");
        assertThat(injector.path("webhooks")).hasSize(4);
        injector.path("webhooks").forEach(webhook -> {
            assertThat(webhook.at("/clientConfig/caBundle").asString()).isEqualTo(
                    validator.at("/webhooks/0/clientConfig/caBundle").asString());
            assertThat(webhook.at("/clientConfig/service/path").asString()).isEqualTo("/inject");
        });
        assertThat(injector.at("/webhooks/2/namespaceSelector/matchExpressions/0").toString())
                .isEqualTo("{\"key\":\"istio-injection\",\"operator\":\"In\",\"values\":[\"enabled\"]}");
        assertThat(injector.at("/webhooks/3/objectSelector/matchExpressions/0").toString())
                .isEqualTo("{\"key\":\"sidecar.istio.io/inject\",\"operator\":\"In\",\"values\":[\"true\"]}");
    }

    @Test
    void aFileThatIsNotACertificateIsRefused(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("root-cert.pem");
        Files.writeString(bad, "not a certificate");
        Generated run = generate("--ca-cert", bad.toString());
        assertThat(run.exitCode).isEqualTo(Meshctl.FAILED);
        assertThat(run.out).isEmpty();
    }

    record Generated(int exitCode, String out, String err) {
    }

    static Generated generate(String... extra) {
        List<String> args = new ArrayList<>(List.of("manifest", "generate"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Meshctl.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Generated(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static List<JsonNode> documents(String yaml) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNextValue()) {
                docs.add(it.nextValue());
            }
        }
        return docs;
    }

    static Map<String, JsonNode> byKindAndName(String yaml) throws Exception {
        Map<String, JsonNode> objects = new TreeMap<>();
        for (JsonNode doc : documents(yaml)) {
            assertThat(doc.path("apiVersion").asString()).isNotEmpty();
            String key = doc.path("kind").asString() + "/" + doc.at("/metadata/name").asString();
            assertThat(objects.put(key, doc)).as("duplicate " + key).isNull();
        }
        return objects;
    }
}

package dev.meshgate.cli.manifest;

import static dev.meshgate.cli.manifest.ManifestGenerateTest.byKindAndName;
import static dev.meshgate.cli.manifest.ManifestGenerateTest.generate;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.meshgate.cli.Meshctl;
import dev.meshgate.cli.manifest.ManifestGenerateTest.Generated;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** {@code manifest generate --set ...}: istioctl's profiles and IstioOperator keys. */
class ManifestProfilesTest {

    @Test
    void theDefaultProfileHasTheIngressGatewayAsIstiosWithItsSecretsRoleAndNoEgressOrSamples() throws Exception {
        Map<String, JsonNode> objects = objects();
        String gateway = "istio-ingressgateway";
        assertThat(objects).containsKeys("ServiceAccount/" + gateway + "-service-account", "Role/" + gateway + "-sds",
                "RoleBinding/" + gateway + "-sds", "Deployment/" + gateway, "Service/" + gateway,
                "HorizontalPodAutoscaler/" + gateway, "PodDisruptionBudget/" + gateway);
        assertThat(objects.keySet()).noneMatch(k -> k.contains("egressgateway") || k.startsWith("VirtualService/")
                || k.equals("Deployment/web-v1"));

        JsonNode deployment = objects.get("Deployment/" + gateway);
        // Gateway resources select it by Istio's label.
        assertThat(deployment.at("/spec/template/metadata/labels/istio").asString()).isEqualTo("ingressgateway");
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        assertThat(container.path("image").asString()).isEqualTo("meshgate/gateway:0.1.0-SNAPSHOT");
        assertThat(container.path("args").toString()).contains("--meshgate.gateway.kubernetes-secrets=true",
                "--meshgate.proxy.labels[istio]=ingressgateway",
                "--meshgate.proxy.discovery-address=istiod.istio-system.svc:15012",
                "--meshgate.proxy.probe-ports.health=15021");
        assertThat(container.at("/readinessProbe/httpGet/path").asString()).isEqualTo("/healthz/ready");
        assertThat(container.at("/readinessProbe/httpGet/port").asInt()).isEqualTo(15021);
        assertThat(deployment.at("/spec/template/spec/serviceAccountName").asString())
                .isEqualTo(gateway + "-service-account");

        JsonNode service = objects.get("Service/" + gateway);
        assertThat(service.at("/spec/type").asString()).isEqualTo("LoadBalancer");
        List<String> ports = new ArrayList<>();
        service.at("/spec/ports").forEach(p -> ports.add(p.path("name").asString() + ":" + p.path("port").asInt()
                + "->" + p.path("targetPort").asInt()));
        assertThat(ports).containsExactly("status-port:15021->15021", "http2:80->8080", "https:443->8443");
        assertThat(service.at("/spec/selector")).isEqualTo(deployment.at("/spec/selector/matchLabels"));

        JsonNode role = objects.get("Role/" + gateway + "-sds");
        assertThat(role.at("/metadata/namespace").asString()).isEqualTo("istio-system");
        assertThat(role.at("/rules").toString())
                .isEqualTo("[{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"verbs\":[\"get\",\"watch\",\"list\"]}]");
        assertThat(objects.get("RoleBinding/" + gateway + "-sds").at("/subjects/0/name").asString())
                .isEqualTo(gateway + "-service-account");
        assertThat(objects.get("HorizontalPodAutoscaler/" + gateway).at("/spec/scaleTargetRef/name").asString())
                .isEqualTo(gateway);
        assertThat(objects.get("PodDisruptionBudget/" + gateway).at("/spec/minAvailable").asInt()).isEqualTo(1);
    }

    @Test
    void theDemoProfileAddsTheEgressGatewayTheTutorialAndAccessLogsAndFullTracing() throws Exception {
        Map<String, JsonNode> objects = objects("--set", "profile=demo");
        assertThat(objects).containsKeys("Deployment/istio-ingressgateway", "Deployment/istio-egressgateway",
                "Service/web", "Deployment/web-v1", "Deployment/web-v2", "Gateway/web-gateway", "VirtualService/web",
                "DestinationRule/web");
        assertThat(objects.get("Service/istio-egressgateway").at("/spec/type").asString()).isEqualTo("ClusterIP");
        assertThat(objects.get("Deployment/istio-egressgateway").at("/spec/template/metadata/labels/istio")
                .asString()).isEqualTo("egressgateway");
        assertThat(objects.get("ConfigMap/istio").at("/data/mesh").asString()).contains("accessLogFile: /dev/stdout",
                "enableTracing: true", "sampling: 100");
        // The tutorial's pods are injected by the default revision's object selector wherever they land.
        assertThat(objects.get("Deployment/web-v2").at("/spec/template/metadata/labels").toString())
                .contains("\"sidecar.istio.io/inject\":\"true\"", "\"version\":\"v2\"");
        // samples/mesh's own VirtualService, as the local demo uses it.
        assertThat(objects.get("VirtualService/web").at("/spec/http/0/name").asString()).isEqualTo("jason-gets-v2");
    }

    @Test
    void theMinimalProfileIsTheControlPlaneOnlyAndAComponentCanBeTurnedOnOrOff() throws Exception {
        assertThat(objects("--set", "profile=minimal").keySet()).noneMatch(k -> k.contains("-ingressgateway"))
                .contains("Deployment/istiod");
        assertThat(objects("--set", "profile=minimal", "--set", "components.ingressGateways[0].enabled=true")
                .keySet()).contains("Deployment/istio-ingressgateway");
        assertThat(objects("--set", "components.ingressGateways[0].enabled=false").keySet())
                .noneMatch(k -> k.contains("-ingressgateway"));
    }

    @Test
    void meshConfigKeysGoIntoTheIstioConfigMapTypedAsIstioctlTypesThem() throws Exception {
        Map<String, JsonNode> objects = objects("--set", "meshConfig.accessLogFile=/dev/stdout",
                "--set=meshConfig.enableTracing=false", "--set", "meshConfig.defaultConfig.tracing.sampling=12.5",
                "--set", "meshConfig.outboundTrafficPolicy.mode=REGISTRY_ONLY", "--set",
                "meshConfig.extensionProviders[0].name=zipkin", "--set",
                "meshConfig.extensionProviders[0].zipkin.service=zipkin.istio-system.svc.cluster.local", "--set",
                "meshConfig.extensionProviders[0].zipkin.port=9411", "--set", "values.pilot.replicaCount=3");
        JsonNode mesh = ManifestGenerateTest.YAML.readTree(objects.get("ConfigMap/istio").at("/data/mesh").asString());
        assertThat(mesh.path("accessLogFile").asString()).isEqualTo("/dev/stdout");
        assertThat(mesh.path("enableTracing").isBoolean()).isTrue();
        assertThat(mesh.path("enableTracing").asBoolean()).isFalse();
        assertThat(mesh.at("/defaultConfig/tracing/sampling").asDouble()).isEqualTo(12.5);
        assertThat(mesh.at("/outboundTrafficPolicy/mode").asString()).isEqualTo("REGISTRY_ONLY");
        assertThat(mesh.at("/extensionProviders/0/zipkin/port").isNumber()).isTrue();
        assertThat(mesh.at("/extensionProviders/0/name").asString()).isEqualTo("zipkin");
        assertThat(mesh.path("rootNamespace").asString()).isEqualTo("istio-system");
        assertThat(objects.get("Deployment/istiod").at("/spec/replicas").asInt()).isEqualTo(3);
        // Istio's pilot.traceSampling is the mesh's default sampling.
        JsonNode sampled = ManifestGenerateTest.YAML.readTree(objects("--set", "values.pilot.traceSampling=1")
                .get("ConfigMap/istio").at("/data/mesh").asString());
        assertThat(sampled.at("/defaultConfig/tracing/sampling").asInt()).isEqualTo(1);
    }

    @Test
    void hubAndTagNameEveryImageIncludingTheInjectedOnes() throws Exception {
        Map<String, JsonNode> objects = objects("--set", "hub=registry.example.com/mesh/", "--set", "tag=1.2.3");
        assertThat(objects.get("Deployment/istiod").at("/spec/template/spec/containers/0/image").asString())
                .isEqualTo("registry.example.com/mesh/config-server:1.2.3");
        assertThat(objects.get("Deployment/istiod").at("/spec/template/spec/containers/0/args").toString())
                .contains("--meshgate.control-plane.webhook.proxy-image=registry.example.com/mesh/sidecar:1.2.3",
                        "--meshgate.control-plane.webhook.init-image=registry.example.com/mesh/proxy-init:1.2.3");
        assertThat(objects.get("Deployment/istio-ingressgateway").at("/spec/template/spec/containers/0/image")
                .asString()).isEqualTo("registry.example.com/mesh/gateway:1.2.3");
    }

    @Test
    void anUnknownKeyOrValueIsAUsageErrorNamingItAndWhatIsAccepted() {
        Generated unknown = generate("--set", "values.global.proxy.privileged=true");
        assertThat(unknown.exitCode()).isEqualTo(Meshctl.USAGE);
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.err()).contains("--set values.global.proxy.privileged: unknown key (expected: profile, "
                + "revision, hub, tag, values.pilot.replicaCount").contains("meshConfig.<MeshConfig field>");

        Generated profile = generate("--set", "profile=ambient");
        assertThat(profile.exitCode()).isEqualTo(Meshctl.USAGE);
        assertThat(profile.err()).contains("--set profile=ambient: unknown profile (expected: one of [minimal, default, "
                + "demo])");

        assertThat(generate("--set", "values.pilot.replicaCount=0").err())
                .contains("--set values.pilot.replicaCount=0: (expected: an integer >= 1)");
        assertThat(generate("--set", "components.ingressGateways[0].enabled=yes").err())
                .contains("(expected: true or false)");
        assertThat(generate("--set", "revision=Canary").err()).contains("--set revision=Canary: not a revision name");
        assertThat(generate("--set", "profile").err()).contains("--set profile: expected key=value");

        // A MeshConfig value the control plane would refuse is refused here, with the control plane's own message.
        Generated mode = generate("--set", "meshConfig.outboundTrafficPolicy.mode=SOMETIMES");
        assertThat(mode.exitCode()).isEqualTo(Meshctl.USAGE);
        assertThat(mode.err()).contains("ERROR [MG").contains("outboundTrafficPolicy.mode").contains("SOMETIMES");
        // A MeshConfig field meshgate does not read is rendered, and said so.
        Generated unread = generate("--set", "meshConfig.enablePrometheusMerge=true");
        assertThat(unread.exitCode()).isZero();
        assertThat(unread.err()).contains("enablePrometheusMerge");
    }

    private static Map<String, JsonNode> objects(String... args) throws Exception {
        Generated run = generate(args);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return byKindAndName(run.out());
    }
}

package dev.meshgate.controlplane.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.meshgate.controlplane.ConfigServerApplication;
import dev.meshgate.controlplane.push.TestProxy;
import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ProxyView;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The control plane in Kubernetes mode ({@code meshgate.control-plane.config-source=kubernetes}) against the mock
 * API server: Services, EndpointSlices, Pods and Istio resources created through the API reach a connected
 * proxy's view, and an invalid resource is reported on the status endpoint while the rest still ships.
 */
class KubernetesToViewTest {

    static final String WEB_CLUSTER = "outbound|80||web.default.svc.cluster.local";
    static final JsonMapper JSON = JsonMapper.builder().build();
    // A lease that survives a busy machine: each try to acquire or renew must finish within a retry period (a GET
    // and a PUT to the mock took over 500 ms under load), and a leader that misses its renew deadline hands the
    // lease over to a replica that then rightly writes the status again in its own term.
    static final String LEASE_DURATION = "--meshgate.control-plane.kubernetes.leader-election.lease-duration=10s";
    static final String RENEW_DEADLINE = "--meshgate.control-plane.kubernetes.leader-election.renew-deadline=8s";
    static final String RETRY_PERIOD = "--meshgate.control-plane.kubernetes.leader-election.retry-period=2s";

    MockApiServer api;
    ConfigurableApplicationContext context;
    ConfigurableApplicationContext replica;
    int port;

    @BeforeEach
    void startApi() throws Exception {
        api = new MockApiServer();
    }

    @AfterEach
    void stop() {
        if (replica != null) {
            replica.close();
        }
        if (context != null) {
            context.close();
        }
        api.close();
    }

    void start() {
        context = new SpringApplicationBuilder(ConfigServerApplication.class).run(
                "--meshgate.control-plane.config-source=kubernetes",
                "--meshgate.control-plane.kubernetes.api-server=" + api.uri(), "--meshgate.control-plane.port=0",
                "--meshgate.control-plane.tls-port=0", "--meshgate.control-plane.plaintext=true",
                "--meshgate.control-plane.debounce-after=50ms", "--meshgate.control-plane.debounce-max=300ms");
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    @Test
    void servicesEndpointSlicesAndIstioResourcesFromTheApiArePushedAndFollowed() throws Exception {
        api.apply(WEB_SERVICE);
        api.apply(pod("web-v1", "v1", true));
        api.apply(slice(15106));
        api.apply(BAD_WEIGHTS);
        start();
        try (TestProxy proxy = TestProxy.connect(port, "client-1")) {
            ProxyView first = proxy.nextPush();
            assertThat(webEndpoints(first)).as("%s", first.clusters()).containsExactly("127.0.0.1:15106");
            proxy.send(new Ack(first.version()));
            JsonNode diagnostics = get("/debug/diagnostics").path("diagnostics");
            assertThat(codes(diagnostics)).contains("MG0103");

            api.apply(slice(15107));
            ProxyView second = proxy.nextPushWhere(view -> webEndpoints(view).equals(List.of("127.0.0.1:15107")));
            proxy.send(new Ack(second.version()));

            api.apply(pod("web-v1", "v1", false));
            proxy.nextPushWhere(view -> webEndpoints(view).isEmpty());

            api.delete("v1", "Service", "default", "web");
            proxy.nextPushWhere(view -> view.clusters().stream().noneMatch(c -> c.name().equals(WEB_CLUSTER)));
        }
    }

    @Test
    void securityPoliciesAppliedThroughTheApiReachTheProxyAndADeleteRemovesThem() throws Exception {
        api.apply(WEB_SERVICE);
        start();
        try (TestProxy proxy = TestProxy.connect(port, "client-1")) {
            ProxyView first = proxy.nextPush();
            assertThat(first.auth().isEmpty()).as("%s", first.auth()).isTrue();
            proxy.send(new Ack(first.version()));

            api.apply(KubernetesConfigSourceTest.DENY_POLICY);
            api.apply(KubernetesConfigSourceTest.STRICT_MTLS);
            ProxyView enforced = proxy.nextPushWhere(view -> view.auth().policies().size() == 1
                    && view.auth().peerAuthentication() != null);
            assertThat(enforced.auth().policies().get(0).name()).isEqualTo("default/deny-admin");
            assertThat(enforced.auth().policies().get(0).action())
                    .isEqualTo(dev.meshgate.core.security.AuthorizationPolicy.Action.DENY);
            assertThat(enforced.auth().peerAuthentication().mode())
                    .isEqualTo(dev.meshgate.core.security.PeerAuthentication.Mode.STRICT);
            proxy.send(new Ack(enforced.version()));

            api.delete("security.istio.io/v1", "AuthorizationPolicy", "default", "deny-admin");
            api.delete("security.istio.io/v1", "PeerAuthentication", "istio-system", "default");
            proxy.nextPushWhere(view -> view.auth().isEmpty());
        }
    }

    @Test
    void aPodOnALabelledNodeHasItsLocalityAndRelabellingTheNodeMovesIt() throws Exception {
        api.apply(node("us-east1", "us-east1-b", "rack-1"));
        api.apply(WEB_SERVICE);
        api.apply(pod("web-v1", "v1", true).replace("spec:\n", "spec:\n  nodeName: node-1\n"));
        api.apply(slice(15106));
        start();
        try (TestProxy proxy = TestProxy.connect(port, "client-1")) {
            ProxyView first = proxy.nextPush();
            assertThat(webLocalities(first)).as("%s", first.clusters()).containsExactly("us-east1/us-east1-b/rack-1");
            proxy.send(new Ack(first.version()));

            api.apply(node("us-west2", "us-west2-a", ""));
            ProxyView moved = proxy.nextPushWhere(view -> webLocalities(view).equals(List.of("us-west2/us-west2-a")));
            proxy.send(new Ack(moved.version()));

            // The pod's own istio-locality label wins over its node's (pilot's precedence).
            api.apply(pod("web-v1", "v1", true).replace("spec:\n", "spec:\n  nodeName: node-1\n")
                    .replace("labels: {app: web,", "labels: {istio-locality: eu-north1.eu-north1-a, app: web,"));
            proxy.nextPushWhere(view -> webLocalities(view).equals(List.of("eu-north1/eu-north1-a")));
        }
    }

    static List<String> webLocalities(ProxyView view) {
        return view.clusters().stream().filter(c -> c.name().equals(WEB_CLUSTER)).findFirst()
                .map(ClusterSpec::endpoints).orElse(List.of()).stream()
                .map(e -> String.valueOf(e.locality())).toList();
    }

    static String node(String region, String zone, String subzone) {
        return """
                apiVersion: v1
                kind: Node
                metadata:
                  name: node-1
                  labels: {topology.kubernetes.io/region: %s, topology.kubernetes.io/zone: %s%s}
                """.formatted(region, zone, subzone.isEmpty() ? "" : ", topology.istio.io/subzone: " + subzone);
    }

    @Test
    void ofTwoReplicasOnlyTheLeaderWritesTheStatusOfAnInvalidResource() {
        api.apply(BAD_WEIGHTS);
        context = replica("istiod-a");
        replica = replica("istiod-b");
        String status = "/apis/networking.istio.io/v1/namespaces/default/virtualservices/web/status";
        io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi virtualServices =
                new io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi("networking.istio.io", "v1",
                        "virtualservices", new io.kubernetes.client.openapi.ApiClient().setBasePath(
                                api.uri().toString()));

        // The status as the mock serves it: the bridge counts a PATCH as it arrives, before the mock has applied it.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(virtualServices.get("default", "web")
                .getObject().getRaw().getAsJsonObject("status")).isNotNull());
        com.google.gson.JsonObject written = virtualServices.get("default", "web").getObject().getRaw()
                .getAsJsonObject("status");
        assertThat(written.getAsJsonArray("validationMessages").get(0).getAsJsonObject().getAsJsonObject("type")
                .get("code").getAsString()).isEqualTo("MG0103");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> api.bridge().requests("PATCH", status) == 1);
        assertThat(context.getBean(dev.meshgate.controlplane.leader.LeaderElection.class).isLeader()
                ^ replica.getBean(dev.meshgate.controlplane.leader.LeaderElection.class).isLeader()).isTrue();
    }

    @Test
    void theLeaderGaugeIsOneOnTheReplicaHoldingTheLeaseAndMovesWithIt() {
        context = replica("istiod-a");
        replica = replica("istiod-b");
        await().atMost(Duration.ofSeconds(30)).until(() -> leaderGauge(context) + leaderGauge(replica) == 1);
        ConfigurableApplicationContext leader = leaderGauge(context) == 1 ? context : replica;
        ConfigurableApplicationContext other = leader == context ? replica : context;
        assertThat(leader.getBean(dev.meshgate.controlplane.leader.LeaderElection.class).isLeader()).isTrue();
        assertThat(other.getBean(dev.meshgate.controlplane.leader.LeaderElection.class).isLeader()).isFalse();

        // Stepping down (not closing the context: replicas in one JVM share Reactor Netty's global event loops).
        leader.getBean(dev.meshgate.controlplane.leader.LeaderElection.class).close();

        await().atMost(Duration.ofSeconds(15)).until(() -> leaderGauge(other) == 1);
        assertThat(leaderGauge(leader)).isZero();
    }

    @Test
    void theLeaderWritesTheMeshRootIntoEveryNamespacesIstioCaRootCert() throws Exception {
        for (String namespace : List.of("default", "shop", "kube-system")) {
            api.apply("{apiVersion: v1, kind: Namespace, metadata: {name: " + namespace + "}}");
        }
        api.apply("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio-ca-root-cert, namespace: shop}
                data: {root-cert.pem: stale}
                """);
        context = replica("istiod-a");
        String root = dev.meshgate.core.security.pki.Pem.encodeCertificates(
                context.getBean(dev.meshgate.controlplane.ca.MeshCa.class).roots());
        io.kubernetes.client.openapi.apis.CoreV1Api core = new io.kubernetes.client.openapi.apis.CoreV1Api(
                new io.kubernetes.client.openapi.ApiClient().setBasePath(api.uri().toString()));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(rootCert(core, "default")).isEqualTo(root);
            assertThat(rootCert(core, "shop")).as("a stale root is replaced").isEqualTo(root);
        });
        api.apply("{apiVersion: v1, kind: Namespace, metadata: {name: bank}}");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(rootCert(core, "bank")).isEqualTo(root));
        assertThat(core.listNamespacedConfigMap("kube-system").execute().getItems()).isEmpty();
    }

    @Test
    void withTheWebhooksServedTheLeaderPutsTheMeshRootIntoTheInstalledWebhookConfiguration() {
        api.apply("""
                apiVersion: admissionregistration.k8s.io/v1
                kind: ValidatingWebhookConfiguration
                metadata: {name: istio-validator-istio-system}
                webhooks:
                - name: validation.istio.io
                  clientConfig:
                    service: {name: istiod, namespace: istio-system, path: /validate, port: 443}
                  sideEffects: None
                  admissionReviewVersions: [v1]
                """);
        context = new SpringApplicationBuilder(ConfigServerApplication.class).run(
                "--meshgate.control-plane.config-source=kubernetes",
                "--meshgate.control-plane.kubernetes.api-server=" + api.uri(), "--meshgate.control-plane.port=0",
                "--meshgate.control-plane.tls-port=0", "--meshgate.control-plane.plaintext=true",
                "--meshgate.control-plane.webhook.enabled=true", "--meshgate.control-plane.webhook.port=0",
                "--meshgate.control-plane.webhook.ca-bundle-check=500ms", LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD);
        String root = java.util.Base64.getEncoder().encodeToString(dev.meshgate.core.security.pki.Pem
                .encodeCertificates(context.getBean(dev.meshgate.controlplane.ca.MeshCa.class).roots())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi configurations =
                new io.kubernetes.client.util.generic.dynamic.DynamicKubernetesApi("admissionregistration.k8s.io",
                        "v1", "validatingwebhookconfigurations", new io.kubernetes.client.openapi.ApiClient()
                                .setBasePath(api.uri().toString()));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(configurations
                .get("istio-validator-istio-system").getObject().getRaw().getAsJsonArray("webhooks").get(0)
                .getAsJsonObject().getAsJsonObject("clientConfig").get("caBundle")).hasToString('"' + root + '"'));
    }

    static String rootCert(io.kubernetes.client.openapi.apis.CoreV1Api core, String namespace) throws Exception {
        return core.listNamespacedConfigMap(namespace).execute().getItems().stream()
                .filter(map -> map.getMetadata().getName().equals("istio-ca-root-cert")).findFirst()
                .map(map -> map.getData().get("root-cert.pem")).orElse(null);
    }

    /** {@code meshgate_leader} as the replica's {@code /metrics} exposes it. */
    static int leaderGauge(ConfigurableApplicationContext replica) {
        String port = replica.getEnvironment().getProperty("local.server.port");
        String metrics = WebClient.create("http://127.0.0.1:" + port).get().uri("/metrics").retrieve()
                .bodyToMono(String.class).block(Duration.ofSeconds(10));
        java.util.regex.Matcher value = java.util.regex.Pattern.compile("(?m)^meshgate_leader (\\S+)$")
                .matcher(metrics);
        if (!value.find()) {
            throw new AssertionError("no meshgate_leader in\n" + metrics);
        }
        return (int) Double.parseDouble(value.group(1));
    }

    ConfigurableApplicationContext replica(String identity) {
        return new SpringApplicationBuilder(ConfigServerApplication.class).run(
                "--meshgate.control-plane.config-source=kubernetes",
                "--meshgate.control-plane.kubernetes.api-server=" + api.uri(), "--meshgate.control-plane.port=0",
                "--meshgate.control-plane.tls-port=0", "--meshgate.control-plane.plaintext=true",
                "--meshgate.control-plane.kubernetes.leader-election.identity=" + identity, LEASE_DURATION,
                RENEW_DEADLINE, RETRY_PERIOD);
    }

    static List<String> webEndpoints(ProxyView view) {
        return view.clusters().stream().filter(c -> c.name().equals(WEB_CLUSTER)).findFirst()
                .map(ClusterSpec::endpoints).orElse(List.of()).stream()
                .map((EndpointSpec e) -> e.address() + ":" + e.port()).toList();
    }

    static List<String> codes(JsonNode diagnostics) {
        List<String> codes = new ArrayList<>();
        diagnostics.forEach(d -> codes.add(d.path("code").asString()));
        return codes;
    }

    JsonNode get(String path) {
        String body = WebClient.create("http://127.0.0.1:" + port).get().uri(path).retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10));
        return JSON.readTree(body);
    }

    static final String WEB_SERVICE = """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              selector: {app: web}
              ports: [{name: http, port: 80, targetPort: 8080}]
            """;

    static final String BAD_WEIGHTS = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: web, namespace: default}
            spec:
              hosts: [web]
              http:
                - route:
                    - {destination: {host: web}, weight: 0}
                    - {destination: {host: web}, weight: 0}
            """;

    static String pod(String name, String version, boolean ready) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  namespace: default
                  labels: {app: web, version: %s}
                spec:
                  serviceAccountName: web
                  containers: [{name: web, image: web}]
                status:
                  podIP: 127.0.0.1
                  conditions: [{type: Ready, status: "%s"}]
                """.formatted(name, version, ready ? "True" : "False");
    }

    static String slice(int port) {
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: web-abc
                  namespace: default
                  labels: {kubernetes.io/service-name: web}
                addressType: IPv4
                ports: [{name: http, port: %d, protocol: TCP}]
                endpoints:
                  - addresses: [127.0.0.1]
                    conditions: {ready: true}
                    targetRef: {kind: Pod, namespace: default, name: web-v1}
                """.formatted(port);
    }
}

package dev.meshgate.controlplane.source.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.meshgate.controlplane.mesh.MeshConfigState;
import dev.meshgate.controlplane.source.ConfigSet;
import dev.meshgate.core.registry.Endpoint;
import dev.meshgate.core.registry.Service;
import dev.meshgate.core.registry.ServicePort;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.validation.Diagnostic;
import dev.meshgate.core.view.ProxyView.OutboundTrafficPolicy;
import dev.meshgate.core.yaml.ResourceReader;
import dev.meshgate.testing.FreePorts;

import io.kubernetes.client.openapi.ApiClient;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes config source against fabric8's mock API server (CRUD mode) over HTTP, through the watch bridge:
 * objects created, changed and deleted through the API reach the delivered configuration, by watch.
 */
class KubernetesConfigSourceTest {

    static final String REVIEWS = "reviews.default.svc.cluster.local";
    /**
     * How long a change may take to arrive: a bound on a lost event, not a measure of speed (at load 50-60 the four
     * security and telemetry kinds took over 1 s). That changes arrive by watch, not by a relist, the tests check by
     * counting the lists.
     */
    static final Duration WITHIN = Duration.ofSeconds(10);

    MockApiServer api;
    KubernetesConfigSource source;
    final AtomicReference<ConfigSet> delivered = new AtomicReference<>();
    final AtomicReference<MeshConfigState> meshConfig = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        api = new MockApiServer();
    }

    @AfterEach
    void stop() {
        if (source != null) {
            source.close();
        }
        api.close();
    }

    void startSource() {
        source = new KubernetesConfigSource(new ApiClient().setBasePath(api.uri().toString()),
                KubernetesSourceProperties.of(api.uri()), "svc.cluster.local", Duration.ofMillis(50),
                Duration.ofMillis(200), meshConfig::set);
        source.start(delivered::set);
    }

    @Test
    void servicesEndpointSlicesAndPodsBecomeRegistryServicesWithTheirEndpoints() {
        api.apply(pod("reviews-v1", "10.0.0.1", "v1", true));
        api.apply(REVIEWS_SERVICE);
        startSource();
        assertThat(delivered.get().platform().service(REVIEWS)).isNotNull();

        api.apply(slice("reviews-abc", endpoint("10.0.0.1", "reviews-v1", true, false)));

        await().atMost(WITHIN).untilAsserted(() -> assertThat(endpoints()).hasSize(1));
        Endpoint endpoint = endpoints().get(0);
        assertThat(endpoint.address()).isEqualTo("10.0.0.1");
        assertThat(endpoint.labels()).containsEntry("app", "reviews").containsEntry("version", "v1");
        assertThat(endpoint.serviceAccount()).isEqualTo("bookinfo-reviews");
        Service service = delivered.get().platform().service(REVIEWS);
        assertThat(service.ports()).extracting(ServicePort::name, ServicePort::number, ServicePort::protocol)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("http", 9080, "HTTP"),
                        org.assertj.core.groups.Tuple.tuple("metrics", 9090, "HTTP2"));
        assertThat(endpoint.port(service.port(9080))).isEqualTo(8080);
        assertThat(service.exportTo()).containsExactly(".");
    }

    @Test
    void updatesAndDeletesArriveByWatchWithinOneSecondWithoutRelisting() {
        api.apply(REVIEWS_SERVICE);
        api.apply(pod("reviews-v1", "10.0.0.1", "v1", true));
        api.apply(slice("reviews-abc", endpoint("10.0.0.1", "reviews-v1", true, false)));
        startSource();
        await().atMost(WITHIN).untilAsserted(() -> assertThat(endpoints()).hasSize(1));
        int lists = api.bridge().totalLists();

        api.apply(pod("reviews-v2", "10.0.0.2", "v2", true));
        api.apply(slice("reviews-abc", endpoint("10.0.0.1", "reviews-v1", true, false),
                endpoint("10.0.0.2", "reviews-v2", true, false)));
        await().atMost(WITHIN).untilAsserted(() -> assertThat(endpoints()).extracting(Endpoint::address)
                .containsExactly("10.0.0.1", "10.0.0.2"));

        api.apply(VIRTUAL_SERVICE);
        await().atMost(WITHIN).untilAsserted(() -> assertThat(resources()).containsExactly("VirtualService "
                + "default/reviews"));

        api.delete("networking.istio.io/v1", "VirtualService", "default", "reviews");
        api.delete("v1", "Service", "default", "reviews");
        await().atMost(WITHIN).untilAsserted(() -> {
            assertThat(resources()).isEmpty();
            assertThat(delivered.get().platform().service(REVIEWS)).isNull();
        });

        assertThat(api.bridge().totalLists()).as("lists after the first sync").isEqualTo(lists);
        assertThat(api.bridge().watches("/api/v1/services")).isPositive();
        assertThat(api.bridge().watches("/apis/networking.istio.io/v1/virtualservices")).isPositive();
    }

    @Test
    void securityAndTelemetryKindsArriveByWatchAndLeaveWhenDeleted() {
        startSource();
        assertThat(resources()).isEmpty();
        int lists = api.bridge().totalLists();

        api.apply(DENY_POLICY);
        api.apply(STRICT_MTLS);
        api.apply(REQUEST_AUTHENTICATION);
        api.apply(TELEMETRY);
        await().atMost(WITHIN).untilAsserted(() -> assertThat(resources()).containsExactlyInAnyOrder(
                "AuthorizationPolicy default/deny-admin", "PeerAuthentication istio-system/default",
                "RequestAuthentication default/jwt", "Telemetry istio-system/mesh-default"));
        assertThat(delivered.get().diagnostics()).isEmpty();

        api.delete("security.istio.io/v1", "AuthorizationPolicy", "default", "deny-admin");
        api.delete("security.istio.io/v1", "PeerAuthentication", "istio-system", "default");
        await().atMost(WITHIN).untilAsserted(() -> assertThat(resources()).containsExactlyInAnyOrder(
                "RequestAuthentication default/jwt", "Telemetry istio-system/mesh-default"));
        assertThat(api.bridge().totalLists()).as("lists after the first sync").isEqualTo(lists);
        for (String path : List.of("security.istio.io/v1/authorizationpolicies",
                "security.istio.io/v1/peerauthentications", "security.istio.io/v1/requestauthentications",
                "telemetry.istio.io/v1/telemetries")) {
            assertThat(api.bridge().watches("/apis/" + path)).as(path).isPositive();
        }
    }

    @Test
    void anUnreadyPodLeavesTheViewAndATerminatingEndpointDrains() {
        api.apply(REVIEWS_SERVICE);
        api.apply(pod("reviews-v1", "10.0.0.1", "v1", true));
        api.apply(pod("reviews-v2", "10.0.0.2", "v2", true));
        api.apply(slice("reviews-abc", endpoint("10.0.0.1", "reviews-v1", true, false),
                endpoint("10.0.0.2", "reviews-v2", true, false)));
        startSource();
        await().atMost(WITHIN).untilAsserted(() -> assertThat(endpoints()).hasSize(2));

        // The pod turns unready before the EndpointSlice controller catches up: it leaves at once.
        api.apply(pod("reviews-v1", "10.0.0.1", "v1", false));
        await().atMost(WITHIN).untilAsserted(() -> assertThat(endpoints()).extracting(Endpoint::address)
                .containsExactly("10.0.0.2"));

        // Terminating (still serving): no new requests go to it.
        api.apply(slice("reviews-abc", endpoint("10.0.0.1", "reviews-v1", false, false),
                endpoint("10.0.0.2", "reviews-v2", false, true)));
        await().atMost(WITHIN).untilAsserted(() -> assertThat(endpoints()).isEmpty());
    }

    @Test
    void aWatchEndedByTheServerIsResumedFromItsResourceVersionWithoutRelisting() {
        api.apply(REVIEWS_SERVICE);
        startSource();
        int lists = api.bridge().totalLists();
        int watches = api.bridge().watches("/api/v1/services");

        api.bridge().dropWatches();
        await().atMost(Duration.ofSeconds(5)).until(() -> api.bridge().watches("/api/v1/services") > watches);
        api.apply(pod("reviews-v1", "10.0.0.1", "v1", true));
        api.apply(slice("reviews-abc", endpoint("10.0.0.1", "reviews-v1", true, false)));

        await().atMost(WITHIN).untilAsserted(() -> assertThat(endpoints()).hasSize(1));
        assertThat(api.bridge().totalLists()).isEqualTo(lists);
    }

    @Test
    void anExpiredResourceVersionMakesEachInformerRelistOnceAndWatchAgain() {
        api.apply(REVIEWS_SERVICE);
        startSource();
        int lists = api.bridge().lists("/api/v1/services");

        api.bridge().expireHistory();
        api.bridge().dropWatches();
        await().atMost(Duration.ofSeconds(10)).until(() -> api.bridge().lists("/api/v1/services") == lists + 1);
        api.apply(pod("reviews-v1", "10.0.0.1", "v1", true));
        api.apply(slice("reviews-abc", endpoint("10.0.0.1", "reviews-v1", true, false)));

        await().atMost(WITHIN).untilAsserted(() -> assertThat(endpoints()).hasSize(1));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> api.bridge().lists("/api/v1/services") == lists + 1);
        assertThat(delivered.get().diagnostics()).isEmpty();
    }

    @Test
    void istioResourcesAreReadAsFilesAreWithTheSameDiagnostics() {
        String typo = VIRTUAL_SERVICE.replace("http:", "htp:");
        api.apply(typo);
        startSource();

        assertThat(resources()).containsExactly("VirtualService default/reviews");
        assertThat(delivered.get().diagnostics()).extracting(Diagnostic::code, Diagnostic::kind, Diagnostic::resource,
                Diagnostic::field, Diagnostic::message).containsExactlyElementsOf(ResourceReader.read("file.yaml", typo)
                        .diagnostics().stream().map(d -> org.assertj.core.groups.Tuple.tuple(d.code(), d.kind(),
                                d.resource(), d.field(), d.message())).toList());
    }

    @Test
    void theMeshConfigComesFromTheIstioConfigMap() {
        startSource();
        assertThat(meshConfig.get()).isEqualTo(MeshConfigState.NONE);

        api.apply("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: istio, namespace: istio-system}
                data:
                  mesh: |
                    outboundTrafficPolicy:
                      mode: REGISTRY_ONLY
                """);

        await().atMost(WITHIN).untilAsserted(() -> {
            assertThat(meshConfig.get().meshConfig().outboundTrafficPolicy()).isNotNull();
            assertThat(meshConfig.get().meshConfig().outboundTrafficPolicy().mode())
                    .hasToString(OutboundTrafficPolicy.REGISTRY_ONLY.name());
            assertThat(meshConfig.get().file()).isEqualTo("configmap:istio-system/istio");
        });
    }

    @Test
    void anInformerThatCannotListIsReportedAndTheOthersStillDeliver() throws Exception {
        java.net.URI closed = java.net.URI.create("http://127.0.0.1:" + FreePorts.next());
        source = new KubernetesConfigSource(new ApiClient().setBasePath(closed.toString()),
                new KubernetesSourceProperties(closed, "v1", "v1", "v1", "istio-system", "istio",
                        Duration.ofMinutes(10), Duration.ofSeconds(1)), "svc.cluster.local", Duration.ofMillis(50),
                Duration.ofMillis(200), meshConfig::set);
        source.start(delivered::set);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(delivered.get().diagnostics())
                .extracting(Diagnostic::code, Diagnostic::kind).contains(
                        org.assertj.core.groups.Tuple.tuple("MG1001", "Service"),
                        org.assertj.core.groups.Tuple.tuple("MG1001", "VirtualService")));
    }

    @Test
    void anotherServedIstioVersionIsWatchedWhenConfigured() {
        api.apply(VIRTUAL_SERVICE.replace("networking.istio.io/v1", "networking.istio.io/v1beta1"));
        source = new KubernetesConfigSource(new ApiClient().setBasePath(api.uri().toString()),
                new KubernetesSourceProperties(api.uri(), "v1beta1", "v1beta1", "v1alpha1", "istio-system", "istio",
                        Duration.ofMinutes(10), Duration.ofSeconds(30)), "svc.cluster.local", Duration.ofMillis(50),
                Duration.ofMillis(200), meshConfig::set);
        source.start(delivered::set);

        assertThat(resources()).containsExactly("VirtualService default/reviews");
        assertThat(delivered.get().resources().get(0).apiVersion()).isEqualTo("networking.istio.io/v1beta1");
        assertThat(api.bridge().watches("/apis/networking.istio.io/v1beta1/virtualservices")).isPositive();

        // Each group in its own version: security.istio.io/v1beta1, telemetry.istio.io/v1alpha1.
        api.apply(STRICT_MTLS.replace("security.istio.io/v1", "security.istio.io/v1beta1"));
        api.apply(TELEMETRY.replace("telemetry.istio.io/v1", "telemetry.istio.io/v1alpha1"));
        await().atMost(WITHIN).untilAsserted(() -> assertThat(resources()).containsExactlyInAnyOrder(
                "VirtualService default/reviews", "PeerAuthentication istio-system/default",
                "Telemetry istio-system/mesh-default"));
        assertThat(api.bridge().watches("/apis/security.istio.io/v1beta1/peerauthentications")).isPositive();
        assertThat(api.bridge().watches("/apis/telemetry.istio.io/v1alpha1/telemetries")).isPositive();
    }

    @Test
    void anUpdateOfOnlyTheStatusIsNoChangeOfConfig() {
        var before = object("{\"metadata\":{\"name\":\"r\",\"resourceVersion\":\"1\"},\"spec\":{\"hosts\":[\"r\"]}}");
        var statusOnly = object("{\"metadata\":{\"name\":\"r\",\"resourceVersion\":\"2\"},\"spec\":{\"hosts\":[\"r\"]},"
                + "\"status\":{\"observedGeneration\":1}}");
        var specToo = object("{\"metadata\":{\"name\":\"r\",\"resourceVersion\":\"3\"},\"spec\":{\"hosts\":[\"s\"]}}");

        assertThat(KubernetesConfigSource.onlyStatusChanged(before, statusOnly)).isTrue();
        assertThat(KubernetesConfigSource.onlyStatusChanged(before, specToo)).isFalse();
    }

    @Test
    void aNodeUpdateIsAChangeOfConfigOnlyWhenItsLabelsChange() {
        var before = new io.kubernetes.client.openapi.models.V1Node().metadata(new io.kubernetes.client.openapi
                .models.V1ObjectMeta().name("n").resourceVersion("1").labels(Map.of("topology.kubernetes.io/zone",
                        "a")));
        var heartbeat = new io.kubernetes.client.openapi.models.V1Node().metadata(new io.kubernetes.client.openapi
                .models.V1ObjectMeta().name("n").resourceVersion("2").labels(Map.of("topology.kubernetes.io/zone",
                        "a"))).status(new io.kubernetes.client.openapi.models.V1NodeStatus().phase("Running"));
        var relabelled = new io.kubernetes.client.openapi.models.V1Node().metadata(new io.kubernetes.client.openapi
                .models.V1ObjectMeta().name("n").resourceVersion("3").labels(Map.of("topology.kubernetes.io/zone",
                        "b")));

        assertThat(KubernetesConfigSource.onlyStatusChanged(before, heartbeat)).isTrue();
        assertThat(KubernetesConfigSource.onlyStatusChanged(before, relabelled)).isFalse();
    }

    static io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject object(String json) {
        return new io.kubernetes.client.util.generic.dynamic.DynamicKubernetesObject(
                com.google.gson.JsonParser.parseString(json).getAsJsonObject());
    }

    List<Endpoint> endpoints() {
        return delivered.get().platform().endpoints(REVIEWS);
    }

    List<String> resources() {
        return delivered.get().resources().stream().map(r -> r.kind() + " " + r.key()).toList();
    }

    static final String REVIEWS_SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: reviews
              namespace: default
              labels: {app: reviews}
              annotations: {networking.istio.io/exportTo: "."}
            spec:
              selector: {app: reviews}
              ports:
                - {name: http, port: 9080, targetPort: 8080}
                - {name: metrics, port: 9090, appProtocol: kubernetes.io/h2c}
            """;

    static final String VIRTUAL_SERVICE = """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews, namespace: default}
            spec:
              hosts: [reviews]
              http:
                - route:
                    - destination: {host: reviews}
            """;

    static final String DENY_POLICY = """
            apiVersion: security.istio.io/v1
            kind: AuthorizationPolicy
            metadata: {name: deny-admin, namespace: default}
            spec:
              action: DENY
              rules:
                - to: [{operation: {paths: [/admin]}}]
            """;

    static final String STRICT_MTLS = """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata: {name: default, namespace: istio-system}
            spec:
              mtls: {mode: STRICT}
            """;

    static final String REQUEST_AUTHENTICATION = """
            apiVersion: security.istio.io/v1
            kind: RequestAuthentication
            metadata: {name: jwt, namespace: default}
            spec:
              jwtRules:
                - {issuer: "https://issuer.example", jwks: '{"keys":[]}'}
            """;

    static final String TELEMETRY = """
            apiVersion: telemetry.istio.io/v1
            kind: Telemetry
            metadata: {name: mesh-default, namespace: istio-system}
            spec:
              tracing:
                - randomSamplingPercentage: 10
            """;

    static String pod(String name, String ip, String version, boolean ready) {
        return """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                  namespace: default
                  labels: {app: reviews, version: %s}
                spec:
                  serviceAccountName: bookinfo-reviews
                  nodeName: node-1
                  containers: [{name: reviews, image: reviews}]
                status:
                  podIP: %s
                  conditions: [{type: Ready, status: "%s"}]
                """.formatted(name, version, ip, ready ? "True" : "False");
    }

    static String endpoint(String ip, String pod, boolean ready, boolean terminating) {
        return """
                  - addresses: [%s]
                    conditions: {ready: %s, serving: true, terminating: %s}
                    targetRef: {kind: Pod, namespace: default, name: %s}
                """.formatted(ip, ready, terminating, pod);
    }

    static String slice(String name, String... endpoints) {
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %s
                  namespace: default
                  labels: {kubernetes.io/service-name: reviews}
                addressType: IPv4
                ports:
                  - {name: http, port: 8080, protocol: TCP}
                endpoints:
                %s""".formatted(name, String.join("", endpoints));
    }

    static Map<String, Resource<?>> unused() {
        return Map.of();
    }
}

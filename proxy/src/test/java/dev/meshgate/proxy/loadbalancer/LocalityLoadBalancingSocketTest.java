package dev.meshgate.proxy.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.ProxyKind;
import dev.meshgate.proxy.cluster.ClusterRuntime;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.proxy.testapp.OutboundHttpClient;
import dev.meshgate.proxy.testapp.TestListenerBinding;
import dev.meshgate.proxy.testapp.TestProxyApplication;
import dev.meshgate.testing.FreePorts;
import dev.meshgate.testing.MeshYaml;

import reactor.blockhound.BlockHound;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * {@code localityLbSetting} end to end: Istio YAML translated for a sidecar in {@code us-east/zone-a}, applied to a
 * real proxy, requests through its outbound listener to real backends on loopback that stand in different
 * localities.
 */
@SpringBootTest(classes = TestProxyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "spring.main.banner-mode=off"})
class LocalityLoadBalancingSocketTest {

    private static final ProxyIdentity CLIENT = new ProxyIdentity("client-1", "default", ProxyKind.SIDECAR,
            Map.of("app", "client"), null, "us-east/zone-a");

    @LocalServerPort
    int port;

    @Autowired
    MeshRouteTable table;

    @Autowired
    TestListenerBinding binding;

    private HttpClient client;
    private final List<Localized> backends = new ArrayList<>();

    @BeforeAll
    static void blockHound() {
        BlockHound.install();
    }

    @BeforeEach
    void setUp() {
        binding.bind(port, "outbound");
        client = OutboundHttpClient.through(port);
    }

    @AfterEach
    void stopBackends() {
        backends.forEach(Localized::close);
    }

    /** A backend answering its name, or {@code status} once told to fail. */
    private static final class Localized {
        final String name;
        final String locality;
        final AtomicInteger status = new AtomicInteger(200);
        final AtomicInteger requests = new AtomicInteger();
        final DisposableServer server;

        Localized(String name, String locality) {
            this.name = name;
            this.locality = locality;
            this.server = HttpServer.create().host("127.0.0.1").port(FreePorts.next())
                    .handle((req, res) -> {
                        requests.incrementAndGet();
                        return res.status(status.get()).sendString(Mono.just(name));
                    })
                    .bindNow();
        }

        String endpointYaml() {
            return "    - {address: 127.0.0.1, ports: {http: " + server.port() + "}, locality: " + locality + "}\n";
        }

        void close() {
            server.disposeNow();
        }
    }

    private Localized backend(String name, String locality) {
        Localized b = new Localized(name, locality);
        backends.add(b);
        return b;
    }

    private void apply(String host, String trafficPolicy) throws Exception {
        apply(host, trafficPolicy, "");
    }

    /** Applies the backends as a ServiceEntry, a DestinationRule and {@code more} (YAML documents). */
    private void apply(String host, String trafficPolicy, String more) throws Exception {
        StringBuilder endpoints = new StringBuilder();
        backends.forEach(b -> endpoints.append(b.endpointYaml()));
        String yaml = """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: web, namespace: default}
                spec:
                  hosts: [%s]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{name: http, number: 80, protocol: HTTP}]
                  endpoints:
                %s---
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: web, namespace: default}
                spec:
                  host: %s
                  trafficPolicy:
                %s""".formatted(host, endpoints, host, trafficPolicy.indent(4)) + more;
        table.apply(MeshYaml.view(yaml, CLIENT, MeshSettings.DEFAULT));
    }

    private HttpResponse<String> get(String host) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + host + "/")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Integer> send(String host, int n) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            HttpResponse<String> response = get(host);
            assertThat(response.statusCode()).isEqualTo(200);
            counts.merge(response.body(), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void trafficStaysInTheLocalZoneWhileHealthyAndFailsOverToTheNextPriorityWhenItIsEjected() throws Exception {
        Localized local1 = backend("local-1", "us-east/zone-a");
        Localized local2 = backend("local-2", "us-east/zone-a");
        backend("zone-b", "us-east/zone-b");
        backend("us-west", "us-west/zone-c");
        String host = "failover.example.internal";
        apply(host, """
                outlierDetection: {consecutive5xxErrors: 2, interval: 1s, baseEjectionTime: 120s, maxEjectionPercent: 100}
                """);

        Map<String, Integer> healthy = send(host, 200);
        assertThat(healthy.keySet()).containsOnly("local-1", "local-2");

        local1.status.set(503);
        local2.status.set(503);
        // Each local endpoint is ejected after two 503s in a row (with one ejected, P0 still takes 70 %); once both
        // are, priority 0 has no health left and zone-b (P1) takes everything, us-west (P2) nothing.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            get(host);
            return ejected(host) == 2;
        });
        Map<String, Integer> failedOver = send(host, 200);
        assertThat(failedOver).containsOnlyKeys("zone-b");
        // what the admin endpoint shows under priorityLevels
        assertThat(cluster(host).priorityLevels()).containsExactly(
                new PriorityLevelStatus(0, 2, 0, 0, 0, false),
                new PriorityLevelStatus(1, 1, 1, 100, 100, false),
                new PriorityLevelStatus(2, 1, 1, 100, 0, false));
    }

    private ClusterRuntime cluster(String host) {
        for (ClusterRuntime cluster : table.clusters()) {
            if (cluster.spec().host().equals(host)) {
                return cluster;
            }
        }
        throw new AssertionError("no cluster for " + host);
    }

    private String retries(String host, String retries) {
        return """
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: default}
                spec:
                  hosts: [%s]
                  http:
                  - route: [{destination: {host: %s}}]
                    retries: %s
                """.formatted(host, host, retries);
    }

    /** One local endpoint answering 503, one in the next zone answering 200; no ejection during the test. */
    private Localized[] localFailingRemoteHealthy() {
        Localized local = backend("local", "us-east/zone-a");
        local.status.set(503);
        Localized remote = backend("zone-b", "us-east/zone-b");
        return new Localized[] {local, remote};
    }

    private static final String NO_EJECTION =
            "outlierDetection: {consecutive5xxErrors: 1000, interval: 60s, baseEjectionTime: 1s}\n";

    @Test
    void retryRemoteLocalitiesSendsTheSecondRetryToTheNextLocality() throws Exception {
        Localized[] b = localFailingRemoteHealthy();
        String host = "remote-retries.example.internal";
        apply(host, NO_EJECTION, retries(host, "{attempts: 2, retryOn: 5xx, retryRemoteLocalities: true}"));

        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = get(host);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("zone-b");
        }
        // Pilot's update_frequency 2: the first try and the first retry follow the cluster's load (the local zone),
        // the second retry avoids the priority tried: every request reached zone-b exactly once.
        assertThat(b[0].requests.get()).isEqualTo(40);
        assertThat(b[1].requests.get()).isEqualTo(20);
    }

    @Test
    void withoutRetryRemoteLocalitiesRetriesStayInTheLocalLocality() throws Exception {
        Localized[] b = localFailingRemoteHealthy();
        String host = "local-retries.example.internal";
        apply(host, NO_EJECTION, retries(host, "{attempts: 2, retryOn: 5xx}"));

        for (int i = 0; i < 20; i++) {
            assertThat(get(host).statusCode()).isEqualTo(503);
        }
        assertThat(b[0].requests.get()).isEqualTo(60);
        assertThat(b[1].requests.get()).isZero();
    }

    @Test
    void oneRetryWithRetryRemoteLocalitiesStaysLocalAsPilotsUpdateFrequencyDecides() throws Exception {
        Localized[] b = localFailingRemoteHealthy();
        String host = "one-retry.example.internal";
        apply(host, NO_EJECTION, retries(host, "{attempts: 1, retryOn: 5xx, retryRemoteLocalities: true}"));

        for (int i = 0; i < 20; i++) {
            assertThat(get(host).statusCode()).isEqualTo(503);
        }
        assertThat(b[0].requests.get()).isEqualTo(40);
        assertThat(b[1].requests.get()).isZero();
    }

    private int ejected(String host) {
        for (ClusterRuntime cluster : table.clusters()) {
            if (cluster.spec().host().equals(host) && cluster.outlierDetector() != null) {
                return cluster.outlierDetector().ejectedCount();
            }
        }
        return 0;
    }

    @Test
    void distributeSendsEightyAndTwentyPercentToTheNamedLocalities() throws Exception {
        backend("zone-a", "us-east/zone-a");
        backend("us-west", "us-west/zone-c");
        backend("eu", "eu-west/zone-d");
        String host = "distribute.example.internal";
        apply(host, """
                loadBalancer:
                  simple: ROUND_ROBIN
                  localityLbSetting:
                    distribute:
                    - from: us-east/zone-a/*
                      to: {us-east/zone-a/*: 80, us-west/*: 20}
                """);

        int n = 1000;
        Map<String, Integer> counts = send(host, n);
        // us-west ~ Binomial(1000, 0.2): mean 200, sd 12.6; +-4 sd. eu-west is named by no `to`: none.
        assertThat(counts.getOrDefault("us-west", 0)).isBetween(150, 250);
        assertThat(counts).doesNotContainKey("eu");
        assertThat(counts.get("zone-a") + counts.get("us-west")).isEqualTo(n);
    }
}

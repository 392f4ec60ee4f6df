package dev.meshgate.controlplane.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.meshgate.controlplane.ConfigServerApplication;
import dev.meshgate.controlplane.push.TestProxy;
import dev.meshgate.controlplane.snapshot.Snapshot;
import dev.meshgate.controlplane.snapshot.SnapshotHolder;
import dev.meshgate.core.discovery.Nack;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.ProxyView;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The control plane's istiod-named metrics, read from its {@code /metrics} over HTTP after real pushes, NACKs and
 * config changes: a control plane on a random port, a directory of Istio YAML, proxies speaking the protocol.
 */
class ControlPlaneMetricsTest {

    @TempDir
    static Path configDir;

    static ConfigurableApplicationContext context;
    static int port;
    static WebClient http;

    @BeforeAll
    static void start() throws IOException {
        Files.writeString(configDir.resolve("mesh.yaml"), """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: web, namespace: default}
                spec:
                  hosts: [web.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{name: http, number: 80, protocol: HTTP}]
                  endpoints: [{address: 127.0.0.1, ports: {http: 9101}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: api, namespace: default}
                spec:
                  hosts: [api.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{name: http, number: 80, protocol: HTTP}]
                  endpoints: [{address: 127.0.0.1, ports: {http: 9102}}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: web, namespace: default}
                spec:
                  hosts: [web]
                  http: [{route: [{destination: {host: web}}]}]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: no-hosts, namespace: default}
                spec:
                  http: [{route: [{destination: {host: api}}]}]
                """);
        context = new SpringApplicationBuilder(ConfigServerApplication.class).run(
                "--meshgate.control-plane.config-dir=" + configDir, "--meshgate.control-plane.port=0",
                "--meshgate.control-plane.tls-port=0", "--meshgate.control-plane.plaintext=true",
                "--meshgate.control-plane.debounce-after=50ms", "--meshgate.control-plane.debounce-max=500ms");
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        http = WebClient.create("http://127.0.0.1:" + port);
    }

    @AfterAll
    static void stop() {
        context.close();
    }

    @Test
    void theSnapshotGaugesCountServicesVirtualServicesAndInvalidResources() {
        String metrics = scrape("/metrics");
        assertThat(sample(metrics, "pilot_services")).isEqualTo(2);
        assertThat(sample(metrics, "pilot_virt_services")).isEqualTo(1);
        assertThat(sample(metrics, "meshgate_invalid_resources{kind=\"VirtualService\"}")).isEqualTo(1);
        assertThat(sample(metrics, "meshgate_invalid_resources{kind=\"DestinationRule\"}")).isZero();
    }

    @Test
    void aPushIsCountedAndTimedAndANackIsCountedAsAReject() throws Exception {
        String before = scrape("/metrics");
        try (TestProxy proxy = TestProxy.connect(port, "metrics-push")) {
            ProxyView view = proxy.nextPush();
            // The push is counted once its frame is handed to the connection: the proxy may read it first.
            await().untilAsserted(() -> {
                String afterPush = scrape("/metrics");
                assertThat(delta(before, afterPush, "pilot_xds_pushes{type=\"view\"}")).isEqualTo(1);
                assertThat(delta(before, afterPush, "pilot_xds_push_time_count{type=\"view\"}")).isEqualTo(1);
                assertThat(delta(before, afterPush, "pilot_proxy_convergence_time_count")).isEqualTo(1);
                assertThat(delta(before, afterPush, "pilot_total_xds_rejects{type=\"view\"}")).isZero();
            });

            proxy.send(new Nack(view.version(), "cluster x: no such thing"));
            await().untilAsserted(() -> assertThat(
                    delta(before, scrape("/metrics"), "pilot_total_xds_rejects{type=\"view\"}")).isEqualTo(1));
        }
    }

    @Test
    void pilotXdsCountsTheConnectedProxies() throws Exception {
        // The other tests' proxies are gone once the server has handled their closing.
        await().untilAsserted(() -> assertThat(sample(scrape("/metrics"), "pilot_xds")).isZero());
        TestProxy first = TestProxy.connect(port, "metrics-xds-1");
        try (TestProxy second = TestProxy.connect(port, "metrics-xds-2")) {
            first.nextPush();
            second.nextPush();
            assertThat(sample(scrape("/metrics"), "pilot_xds")).isEqualTo(2);
            first.close();
            await().untilAsserted(() -> assertThat(sample(scrape("/metrics"), "pilot_xds")).isEqualTo(1));
        }
    }

    @Test
    void aConfigChangeIsDebouncedAndPushed() throws Exception {
        try (TestProxy proxy = TestProxy.connect(port, "metrics-change")) {
            proxy.nextPush();
            String before = scrape("/metrics");
            Files.writeString(configDir.resolve("extra.yaml"), """
                    apiVersion: networking.istio.io/v1
                    kind: ServiceEntry
                    metadata: {name: extra, namespace: default}
                    spec:
                      hosts: [extra.default.svc.cluster.local]
                      location: MESH_INTERNAL
                      resolution: STATIC
                      ports: [{name: http, number: 80, protocol: HTTP}]
                      endpoints: [{address: 127.0.0.1, ports: {http: 9103}}]
                    """);
            // The push that carries the new service, whatever else may come first: on a loaded machine the
            // watcher can see the file created empty and written a debounce later (two rebuilds).
            proxy.nextPushWhere(view -> hasCluster(view, "extra.default.svc.cluster.local"));
            String after = scrape("/metrics");
            assertThat(delta(before, after, "pilot_debounce_time_count")).isGreaterThanOrEqualTo(1);
            assertThat(sample(after, "pilot_debounce_time_sum")).isGreaterThan(0);
            assertThat(sample(after, "pilot_services")).isEqualTo(3);
            // Counted once the frame is handed to the connection, which the proxy may read first.
            await().untilAsserted(() -> assertThat(
                    delta(before, scrape("/metrics"), "pilot_xds_pushes{type=\"view\"}")).isGreaterThanOrEqualTo(1));
            Files.delete(configDir.resolve("extra.yaml"));
            // Pushed, so that no rebuild of this test is still on its way when the next test starts.
            proxy.nextPushWhere(view -> !hasCluster(view, "extra.default.svc.cluster.local"));
            assertThat(sample(scrape("/metrics"), "pilot_services")).isEqualTo(2);
        }
    }

    @Test
    void aViewTheProxyWouldRefuseIsCountedAndNotPushed() throws Exception {
        SnapshotHolder snapshots = context.getBean(SnapshotHolder.class);
        Snapshot good = snapshots.current();
        try (TestProxy proxy = TestProxy.connect(port, "metrics-refused")) {
            ProxyView view = proxy.nextPush();
            String before = scrape("/metrics");
            List<ClusterSpec> twice = new ArrayList<>(view.clusters());
            twice.addAll(view.clusters());
            ProxyView bad = new ProxyView(view.version() + "-twice", "s-refused", view.listeners(), twice,
                    view.outboundTrafficPolicy());
            snapshots.publish(new Snapshot("s-refused", List.of(), identity -> bad));
            await().untilAsserted(() -> assertThat(delta(before, scrape("/metrics"), "meshgate_refused_pushes_total"))
                    .isGreaterThanOrEqualTo(1));
            assertThat(proxy.pushesSoFar()).isEmpty();
        } finally {
            snapshots.publish(good);
        }
    }

    @Test
    void istiodsCounterNamesAreServedInPlainTextAtBothPaths() {
        for (String path : List.of("/metrics", "/actuator/prometheus")) {
            String metrics = http.get().uri(path).header("Accept", "application/openmetrics-text; version=1.0.0")
                    .exchangeToMono(response -> {
                        assertThat(response.headers().contentType()).hasValueSatisfying(type -> assertThat(
                                type.toString()).startsWith("text/plain").contains("version=0.0.4"));
                        return response.bodyToMono(String.class);
                    }).block();
            assertThat(metrics).contains("# TYPE pilot_xds_pushes counter\n", "# TYPE pilot_xds gauge\n",
                    "# TYPE pilot_proxy_convergence_time histogram\n", "pilot_debounce_time_bucket{le=\"0.01\"}",
                    "pilot_xds_push_time_bucket{type=\"view\",le=\"30.0\"}")
                    .doesNotContain("pilot_xds_pushes_total", "pilot_total_xds_rejects_total", "# EOF");
        }
    }

    @Test
    void onlyIstiodsCountersLoseTheirSuffix() {
        assertThat(PrometheusEndpoint.istioNames("""
                # HELP pilot_xds_pushes_total Views pushed.
                # TYPE pilot_xds_pushes_total counter
                pilot_xds_pushes_total{type="view"} 3.0
                pilot_total_xds_rejects_total 1.0
                meshgate_refused_pushes_total 2.0
                """)).isEqualTo("""
                # HELP pilot_xds_pushes Views pushed.
                # TYPE pilot_xds_pushes counter
                pilot_xds_pushes{type="view"} 3.0
                pilot_total_xds_rejects 1.0
                meshgate_refused_pushes_total 2.0
                """);
    }

    static String scrape(String path) {
        return http.get().uri(path).retrieve().bodyToMono(String.class).block();
    }

    static boolean hasCluster(ProxyView view, String host) {
        return view.clusters().stream().anyMatch(c -> c.host().equals(host));
    }

    static double delta(String before, String after, String series) {
        return sample(after, series) - sampleOrZero(before, series);
    }

    /** The value of one series, given as {@code name} or {@code name{labels}} exactly as exposed. */
    static double sample(String exposition, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        if (!m.find()) {
            throw new AssertionError("no " + series + " in\n" + exposition);
        }
        return Double.parseDouble(m.group(1));
    }

    static double sampleOrZero(String exposition, String series) {
        return exposition.contains("\n" + series + " ") ? sample(exposition, series) : 0;
    }
}

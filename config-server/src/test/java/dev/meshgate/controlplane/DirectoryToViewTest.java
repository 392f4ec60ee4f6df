package dev.meshgate.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.meshgate.controlplane.push.TestProxy;
import dev.meshgate.core.discovery.Ack;
import dev.meshgate.core.view.ClusterSpec;
import dev.meshgate.core.view.EndpointSpec;
import dev.meshgate.core.view.ProxyView;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Istio YAML written into a directory, through the running control plane, to the view a proxy is pushed. */
class DirectoryToViewTest {

    static final String WEB_CLUSTER = "outbound|80||web.default.svc.cluster.local";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path configDir;

    ConfigurableApplicationContext context;
    int port;

    @AfterEach
    void stop() {
        if (context != null) {
            context.close();
        }
    }

    void start() {
        context = new SpringApplicationBuilder(ConfigServerApplication.class).run(
                "--meshgate.control-plane.config-dir=" + configDir, "--meshgate.control-plane.port=0",
                "--meshgate.control-plane.tls-port=0", "--meshgate.control-plane.plaintext=true",
                "--meshgate.control-plane.debounce-after=50ms", "--meshgate.control-plane.debounce-max=500ms");
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    void writeWeb(int endpointPort) throws IOException {
        Files.createDirectories(configDir.resolve("web"));
        Files.writeString(configDir.resolve("web/service.yaml"), """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: web, namespace: default}
                spec:
                  hosts: [web.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{name: http, number: 80, protocol: HTTP}]
                  workloadSelector: {labels: {app: web}}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: web-v1-1, namespace: default}
                spec:
                  address: 127.0.0.1
                  ports: {http: %d}
                  labels: {app: web, version: v1}
                """.formatted(endpointPort));
    }

    static int webEndpointPort(ProxyView view) {
        ClusterSpec cluster = view.clusters().stream().filter(c -> c.name().equals(WEB_CLUSTER)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + WEB_CLUSTER + " in " + view.clusters()));
        return cluster.endpoints().stream().mapToInt(EndpointSpec::port).findFirst().orElseThrow();
    }

    JsonNode get(String path) {
        String body = WebClient.create("http://127.0.0.1:" + port).get().uri(path).retrieve().bodyToMono(String.class)
                .block(Duration.ofSeconds(10));
        return JSON.readTree(body);
    }

    @Test
    void yamlInTheDirectoryIsPushedAndEditsArePushedAgain() throws Exception {
        writeWeb(15106);
        start();
        try (TestProxy proxy = TestProxy.connect(port, "client-1")) {
            ProxyView first = proxy.nextPush();
            assertThat(webEndpointPort(first)).isEqualTo(15106);
            assertThat(first.snapshotVersion()).isEqualTo(get("/debug/proxies").path("snapshotVersion").asString());
            proxy.send(new Ack(first.version()));

            writeWeb(15107);
            // The watcher may see the file truncated before it is written (a push without the service first).
            ProxyView second = proxy.nextPushWhere(view -> view.clusters().stream()
                    .anyMatch(c -> c.name().equals(WEB_CLUSTER)) && webEndpointPort(view) == 15107);
            assertThat(second.version()).isNotEqualTo(first.version());
            proxy.send(new Ack(second.version()));
            await().untilAsserted(() -> {
                JsonNode proxies = get("/debug/proxies");
                JsonNode client = proxies.path("proxies").get(0);
                assertThat(client.path("status").asString()).isEqualTo("SYNCED");
                assertThat(client.path("snapshotVersion").asString())
                        .isEqualTo(proxies.path("snapshotVersion").asString());
            });
        }
    }

    @Test
    void anUnparseableFileIsReportedAndTheRestStillShips() throws Exception {
        writeWeb(15106);
        Files.writeString(configDir.resolve("broken.yaml"), "kind: VirtualService\nmetadata: [unclosed\n");
        start();
        try (TestProxy proxy = TestProxy.connect(port, "client-2")) {
            assertThat(webEndpointPort(proxy.nextPush())).isEqualTo(15106);
            JsonNode diagnostics = get("/debug/diagnostics").path("diagnostics");
            assertThat(diagnostics.size()).isGreaterThanOrEqualTo(1);
            assertThat(diagnostics.get(0).path("severity").asString()).isEqualTo("ERROR");
            assertThat(diagnostics.get(0).path("source").asString()).startsWith("broken.yaml");

            // Deleting the service's file removes it from the view.
            Files.delete(configDir.resolve("web/service.yaml"));
            ProxyView without = proxy.nextPush();
            assertThat(without.clusters()).extracting(ClusterSpec::name).doesNotContain(WEB_CLUSTER);
        }
    }

    @Test
    void aRestartedControlPlaneServesTheSameSnapshotVersion() throws Exception {
        writeWeb(15106);
        start();
        String snapshotVersion;
        String viewVersion;
        try (TestProxy proxy = TestProxy.connect(port, "client-3")) {
            ProxyView view = proxy.nextPush();
            snapshotVersion = view.snapshotVersion();
            viewVersion = view.version();
        }
        context.close();

        start();
        assertThat(get("/debug/diagnostics").path("snapshotVersion").asString()).isEqualTo(snapshotVersion);
        try (TestProxy proxy = TestProxy.connect(port, "client-3", viewVersion)) {
            ProxyView view = proxy.nextPush();
            assertThat(view.version()).isEqualTo(viewVersion);
            assertThat(view.snapshotVersion()).isEqualTo(snapshotVersion);
            await().untilAsserted(() -> assertThat(get("/debug/proxies").path("proxies").get(0)
                    .path("ackedVersion").asString()).isEqualTo(viewVersion));
        }
    }

    @Test
    void stoppingTheControlPlaneEndsTheProxyStreamsWithoutWaitingForGracefulShutdown() throws Exception {
        writeWeb(15106);
        start();
        try (TestProxy proxy = TestProxy.connect(port, "client-4")) {
            proxy.nextPush();
            long start = System.nanoTime();
            context.close();
            context = null;
            // Graceful shutdown would otherwise wait its 30 s timeout for the never-ending discovery stream.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            await().until(proxy::isClosed);
        }
    }
}

package dev.meshgate.bench.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.meshgate.bench.mesh.MeshJvm;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.proxy.discovery.DiscoveryClient;
import dev.meshgate.proxy.route.MeshRouteTable;
import dev.meshgate.bench.process.Child;
import dev.meshgate.bench.process.FreePorts;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The benchmark's light discovery clients against the real control plane (the config-server jar as a process,
 * its DiscoveryServer on a real WebSocket): they get the first push whole, a change as a delta they check, ACK its
 * version, and the control plane counts them SYNCED, beside a full client of the same fleet; and the proxy's own
 * DiscoveryClient, sent a delta after a change, serves the view the control plane computed.
 */
class LightDiscoveryClientIT {

    private static final MeshYaml MESH = new MeshYaml(20, 2, 2);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path dir;
    static Child controlPlane;
    static int port;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startControlPlane() throws Exception {
        Path repository = Path.of(System.getProperty("meshgate.bench.repository", "..")).toAbsolutePath().normalize();
        MeshJvm jvm = MeshJvm.of(repository, List.of());
        Path config = Files.createDirectories(dir.resolve("config"));
        for (int s = 0; s < MESH.services(); s++) {
            Files.writeString(config.resolve(MeshYaml.fileName(s)), MESH.service(s, 0));
        }
        port = FreePorts.next();
        controlPlane = Child.start("config-server", jvm.command(jvm.configServerJar(), List.of(
                "--meshgate.control-plane.port=" + port, "--meshgate.control-plane.config-dir=" + config,
                "--meshgate.control-plane.plaintext=true", "--meshgate.control-plane.tls-port=0")), dir);
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
            controlPlane.assertAlive();
            return get("/actuator/health").statusCode() == 200;
        });
    }

    @AfterAll
    static void stopControlPlane() {
        controlPlane.close();
    }

    @Test
    void lightClientsReceiveEveryPushWholeAndAckItsVersion() throws Exception {
        try (DiscoveryFleet fleet = DiscoveryFleet.connect("127.0.0.1:" + port, 3)) {
            List<LightDiscoveryClient> light = fleet.members().stream()
                    .filter(LightDiscoveryClient.class::isInstance).map(LightDiscoveryClient.class::cast).toList();
            assertThat(light).hasSize(3 - DiscoveryFleet.full(3)).isNotEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> fleet.allAppliedOtherThan(null));
            LightDiscoveryClient client = light.get(0);
            String viewJson = get("/debug/view/" + client.id()).body();
            JsonNode view = JSON.readTree(viewJson);
            String firstVersion = view.path("version").asString();
            assertThat(client.appliedVersion()).isEqualTo(firstVersion);
            assertThat(client.appliedSnapshot()).isEqualTo(view.path("snapshotVersion").asString());
            // The whole frame arrived: {"type":"push","view":<the view>}, at least as long as the view itself.
            assertThat(client.charsReceived()).isGreaterThanOrEqualTo(JSON.writeValueAsString(view).length());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(statuses(fleet))
                    .containsOnly("SYNCED").hasSize(3));

            String before = client.appliedSnapshot();
            Path file = dir.resolve("config").resolve(MeshYaml.fileName(1));
            Files.writeString(file, MESH.service(1, 5));
            await().atMost(Duration.ofSeconds(30)).until(() -> fleet.allAppliedOtherThan(before));
            assertThat(client.pushes()).isEqualTo(2);
            // the change came as a delta, which the client checked (its base, the result's content) and ACKed
            assertThat(client.deltas()).isEqualTo(1);
            assertThat(client.resyncs()).isZero();
            assertThat(client.appliedVersion()).isNotEqualTo(firstVersion)
                    .isEqualTo(JSON.readTree(get("/debug/view/" + client.id()).body()).path("version").asString());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(statuses(fleet))
                    .containsOnly("SYNCED").hasSize(3));
            assertThat(fleet.problem()).isNull();
        }
    }

    @Test
    void theProxysDiscoveryClientIsSentADeltaAfterAChangeAndServesTheControlPlanesView() throws Exception {
        RecordingWebSocketClient webSocket = new RecordingWebSocketClient(DiscoveryClient.webSocketClient());
        MeshRouteTable table = new MeshRouteTable();
        ProxyIdentity identity = MeshFixture.replica("delta-proxy-1", "delta-app");
        DiscoveryClient client = new DiscoveryClient(webSocket, URI.create("ws://127.0.0.1:" + port + "/v1/discovery"),
                identity, view -> {
                    table.apply(view);
                    return view;
                }, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(15));
        client.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> client.state().appliedVersion() != null);
            String first = client.state().appliedVersion();
            RecordingWebSocketClient.Frame whole = webSocket.received.get(0);
            assertThat(whole.text()).startsWith("{\"type\":\"push\"");

            Path file = dir.resolve("config").resolve(MeshYaml.fileName(7));
            Files.writeString(file, MESH.service(7, 9));
            await().atMost(Duration.ofSeconds(60)).until(() -> !first.equals(client.state().appliedVersion()));

            RecordingWebSocketClient.Frame change = webSocket.received.get(webSocket.received.size() - 1);
            assertThat(change.text()).startsWith("{\"type\":\"delta\",\"base\":\"" + first + "\"");
            assertThat(change.bytes()).isLessThan(whole.bytes() / 5);
            String controlPlanes = JSON.readTree(get("/debug/view/" + identity.id()).body()).path("version").asString();
            assertThat(client.state().appliedVersion()).isEqualTo(controlPlanes);
            assertThat(client.state().view().contentVersion()).isEqualTo(controlPlanes);
            assertThat(client.state().lastNack()).isNull();
        } finally {
            client.stop();
        }
    }

    /** The status /debug/proxies shows for each member of the fleet, on the current snapshot. */
    private static List<String> statuses(DiscoveryFleet fleet) throws Exception {
        JsonNode report = JSON.readTree(get("/debug/proxies").body());
        String snapshot = report.path("snapshotVersion").asString();
        List<String> ids = fleet.members().stream().map(DiscoveryFleet.Member::id).toList();
        return java.util.stream.StreamSupport.stream(report.path("proxies").spliterator(), false)
                .filter(proxy -> ids.contains(proxy.path("id").asString()))
                .map(proxy -> snapshot.equals(proxy.path("snapshotVersion").asString())
                        ? proxy.path("status").asString() : "OLD SNAPSHOT")
                .toList();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}

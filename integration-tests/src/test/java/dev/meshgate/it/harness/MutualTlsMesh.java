package dev.meshgate.it.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.meshgate.testing.FreePorts;

/**
 * A mesh whose control plane is the CA (its root kept in the test's log directory), where sidecars join with the
 * credentials {@code meshctl workload credential} writes for them, as on a VM. {@link #strictEcho} sets up the usual
 * two-sidecar scene under a STRICT PeerAuthentication: an {@code echo} workload (its WorkloadEntry labelled
 * {@code security.istio.io/tlsMode: istio}, so clients reach it over ISTIO_MUTUAL) behind its sidecar, and a
 * {@code client} sidecar.
 */
public final class MutualTlsMesh implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Mesh mesh;
    private final Path logs;
    private Sidecar echo;
    private Sidecar client;

    private MutualTlsMesh(Mesh mesh, Path logs) {
        this.mesh = mesh;
        this.logs = logs;
    }

    /** Starts a mesh (control plane) with its CA for {@code testClass}. */
    public static MutualTlsMesh start(Class<?> testClass) {
        Path logs = Repository.logDirectory(testClass);
        Mesh mesh = Mesh.builder(testClass)
                .controlPlaneProperty("meshgate.control-plane.ca-dir", logs.resolve("ca").toString())
                .start();
        return new MutualTlsMesh(mesh, logs);
    }

    /**
     * Starts a mesh and, under a mesh-wide STRICT PeerAuthentication of namespace {@code default}, the sidecar of
     * the {@code echo} workload (service {@code echo.default.svc.cluster.local}, port 80 of {@code protocol} named
     * {@code portName}, service account {@code echo}) in front of the app on {@code appPort}, and a {@code client}
     * sidecar (service account {@code client}); returns when both are ready.
     */
    public static MutualTlsMesh strictEcho(Class<?> testClass, String portName, String protocol, int appPort) {
        MutualTlsMesh scene = start(testClass);
        try {
            int inbound = FreePorts.next();
            scene.mesh.config().write("echo.yaml", """
                    apiVersion: networking.istio.io/v1
                    kind: ServiceEntry
                    metadata: {name: echo, namespace: default}
                    spec:
                      hosts: [echo.default.svc.cluster.local]
                      location: MESH_INTERNAL
                      resolution: STATIC
                      ports:
                      - {number: 80, name: %s, protocol: %s}
                      workloadSelector:
                        labels: {app: echo}
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: WorkloadEntry
                    metadata: {name: echo-v1, namespace: default}
                    spec:
                      address: 127.0.0.1
                      ports: {%s: %d}
                      serviceAccount: echo
                      labels: {app: echo, version: v1, security.istio.io/tlsMode: istio}
                    ---
                    apiVersion: security.istio.io/v1
                    kind: PeerAuthentication
                    metadata: {name: default, namespace: default}
                    spec: {mtls: {mode: STRICT}}
                    """.formatted(portName, protocol, portName, inbound));
            scene.echo = Sidecar.startServer("echo-v1", Map.of("app", "echo", "version", "v1"), inbound, appPort, 0,
                    scene.mesh.controlPlane(), scene.logs, scene.credentials("echo-v1", "echo"));
            scene.client = Sidecar.startClient("client", Map.of("app", "client"), scene.mesh.controlPlane(),
                    scene.logs, scene.credentials("client", "client"));
            scene.echo.awaitReady();
            scene.client.awaitReady();
            return scene;
        } catch (RuntimeException | Error e) {
            scene.close();
            throw e;
        }
    }

    public Mesh mesh() {
        return mesh;
    }

    public Path logs() {
        return logs;
    }

    /** The echo workload's sidecar ({@link #strictEcho} only). */
    public Sidecar echo() {
        return echo;
    }

    /** The client sidecar ({@link #strictEcho} only). */
    public Sidecar client() {
        return client;
    }

    /**
     * The arguments of a sidecar joining as {@code name} with service account {@code serviceAccount}: the
     * credentials {@code meshctl workload credential} (run as a process) wrote for it.
     */
    public List<String> credentials(String name, String serviceAccount) {
        Path directory = logs.resolve("credentials/" + name);
        JavaProcess meshctl = JavaProcess.start("meshctl-" + name, Repository.meshctlJar(), List.of("workload",
                "credential", name + "." + MeshProxy.NAMESPACE, "--service-account", serviceAccount, "-o",
                directory.toString(), "--control-plane", mesh.controlPlane().discoveryAddress()), logs);
        assertThat(meshctl.exitCode(Duration.ofSeconds(60))).as(meshctl.tail(20)).isZero();
        return List.of("--meshgate.proxy.service-account=" + serviceAccount,
                "--meshgate.proxy.credentials=" + directory);
    }

    /** The echo sidecar's {@code istio_requests_total} lines reported as destination, now. */
    public List<String> echoDestinationRequests() throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + echo.adminPort()
                + "/stats/prometheus")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
                .body().lines()
                .filter(line -> line.startsWith("istio_requests_total{") && line.contains("reporter=\"destination\""))
                .toList();
    }

    /** Stops the sidecars, then the mesh; best effort. */
    @Override
    public void close() {
        for (AutoCloseable process : new AutoCloseable[] {client, echo, mesh}) {
            try {
                if (process != null) {
                    process.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }
}

package dev.meshgate.bench.mesh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.meshgate.bench.process.Child;
import dev.meshgate.bench.process.FreePorts;
import dev.meshgate.bench.tools.Nginx;

/**
 * The meshgate side of the data-plane benchmark: a control plane over a config directory that routes three ways
 * to the same backend, and the proxies each scenario starts.
 *
 * <ul>
 *   <li>{@value #DIRECT_HOST}: a ServiceEntry whose endpoint is the backend itself (client sidecar → backend);
 *   <li>{@value #MESHED_HOST}: a ServiceEntry selecting one WorkloadEntry, the server sidecar's inbound port
 *       (client sidecar → server sidecar → backend: two hops, as Istio reports its figures);
 *   <li>{@value #GATEWAY_HOST}: a Gateway on port 80 and a VirtualService bound to it, routing to the backend.
 * </ul>
 */
public final class BenchMesh implements AutoCloseable {

    public static final String DIRECT_HOST = "backend";
    public static final String MESHED_HOST = "meshed";
    public static final String GATEWAY_HOST = "bench.example.com";
    /** The proxy label a Telemetry resource selects to trace every request ({@link ProxyTelemetry#TRACE_ALL}). */
    public static final String TRACE_ALL_LABEL = "bench-tracing";
    public static final String TRACE_ALL_VALUE = "all";

    private static final long READY_MILLIS = 120_000;

    private final MeshJvm jvm;
    private final Path logDir;
    private final int serverInboundPort = FreePorts.next();
    private final int backendPort;
    private final Child controlPlane;
    private final int controlPlanePort;
    private int started;

    private BenchMesh(MeshJvm jvm, Path logDir, int backendPort, Path configDir) {
        this.jvm = jvm;
        this.logDir = logDir;
        this.backendPort = backendPort;
        this.controlPlanePort = FreePorts.next();
        write(configDir.resolve("bench.yaml"), yaml(backendPort, serverInboundPort));
        Path meshConfig = configDir.resolveSibling("mesh-config.yaml");
        write(meshConfig, meshConfigYaml());
        this.controlPlane = Child.start("config-server", jvm.command(jvm.configServerJar(), List.of(
                "--meshgate.control-plane.port=" + controlPlanePort,
                "--meshgate.control-plane.mesh-config=" + meshConfig,
                "--meshgate.control-plane.plaintext=true", "--meshgate.control-plane.tls-port=0",
                "--meshgate.control-plane.config-dir=" + configDir)), logDir);
    }

    /** Writes the config into {@code configDir}, starts the control plane and waits until it is healthy. */
    public static BenchMesh start(MeshJvm jvm, Path configDir, int backendPort, Path logDir) {
        BenchMesh mesh = new BenchMesh(jvm, logDir, backendPort, configDir);
        mesh.awaitHealthy(mesh.controlPlane, mesh.controlPlanePort);
        return mesh;
    }

    public String discoveryAddress() {
        return "127.0.0.1:" + controlPlanePort;
    }

    /** A started proxy: its process and the port clients send to. */
    public record Proxy(Child process, int port) {
    }

    /** Waits until {@code proxy} routes {@code host} to the backend (through whatever else must be up too). */
    public static void awaitRouting(Proxy proxy, String host, Child... alsoNeeded) {
        HttpProbe.awaitOk(proxy.port(), host, "/1k", READY_MILLIS, () -> {
            proxy.process().assertAlive();
            for (Child child : alsoNeeded) {
                child.assertAlive();
            }
        });
    }

    /** Starts a client-only sidecar and returns at once (for start-to-ready timing). */
    public Proxy launchClientSidecar(String... extraArgs) {
        int outbound = FreePorts.next();
        List<String> args = new ArrayList<>(proxyArgs("client-" + ++started, "app", "bench-client"));
        args.add("--meshgate.sidecar.outbound-port=" + outbound);
        args.addAll(List.of(extraArgs));
        return new Proxy(Child.start("client-sidecar-" + started, jvm.command(jvm.sidecarJar(), args), logDir),
                outbound);
    }

    /**
     * Starts the server sidecar in front of the backend, on the inbound port the WorkloadEntry names, and returns
     * at once: it is ready when a request through a client sidecar to {@value #MESHED_HOST} succeeds.
     */
    public Proxy launchServerSidecar(String... extraArgs) {
        List<String> args = new ArrayList<>(proxyArgs("server-" + ++started, "app", "meshed"));
        args.addAll(List.of(extraArgs));
        args.add("--meshgate.sidecar.outbound-port=" + FreePorts.next());
        args.add("--meshgate.sidecar.inbound-port=" + serverInboundPort);
        args.add("--meshgate.sidecar.app-port=" + backendPort);
        return new Proxy(Child.start("server-sidecar-" + started, jvm.command(jvm.sidecarJar(), args), logDir),
                serverInboundPort);
    }

    /** Starts the ingress gateway; returns once its port 80 listener routes {@value #GATEWAY_HOST}. */
    public Proxy startGateway() {
        int http = FreePorts.next();
        List<String> args = new ArrayList<>(proxyArgs("ingress-" + ++started, "istio", "ingressgateway"));
        args.add("--meshgate.gateway.port-map.80=" + http);
        Child child = Child.start("gateway-" + started, jvm.command(jvm.gatewayJar(), args), logDir);
        HttpProbe.awaitOk(http, GATEWAY_HOST, "/1k", READY_MILLIS, child::assertAlive);
        return new Proxy(child, http);
    }

    private List<String> proxyArgs(String name, String labelKey, String labelValue) {
        return List.of("--meshgate.proxy.name=" + name,
                "--meshgate.proxy.labels." + labelKey + "=" + labelValue,
                "--meshgate.proxy.discovery-address=" + discoveryAddress(),
                "--meshgate.proxy.admin-port=" + FreePorts.next());
    }

    private void awaitHealthy(Child child, int port) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + READY_MILLIS * 1_000_000;
        while (System.nanoTime() < deadline) {
            child.assertAlive();
            try {
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(100);
        }
        throw new IllegalStateException(child + " not healthy within " + READY_MILLIS + " ms");
    }

    /**
     * Istio's defaults made explicit, with the collector on the backend ({@link Nginx#SPANS_PATH}): tracing on at
     * 1 %, as issue #13 measures the proxy. Istio's default collector, {@code zipkin.istio-system:9411}, does not
     * resolve here.
     */
    private String meshConfigYaml() {
        return """
                enableTracing: true
                defaultConfig:
                  tracing:
                    sampling: 1.0
                    zipkin:
                      address: 127.0.0.1:%d
                """.formatted(backendPort);
    }

    /**
     * The bench's Istio config: the three routes above and a Telemetry resource that traces every request of the
     * proxies labelled {@value #TRACE_ALL_LABEL}={@value #TRACE_ALL_VALUE}.
     */
    static String yaml(int backendPort, int serverInboundPort) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: backend, namespace: default}
                spec:
                  hosts: [backend.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  endpoints:
                  - address: 127.0.0.1
                    ports: {http: %1$d}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: meshed, namespace: default}
                spec:
                  hosts: [meshed.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  workloadSelector:
                    labels: {app: meshed}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: meshed-1, namespace: default}
                spec:
                  address: 127.0.0.1
                  ports: {http: %2$d}
                  labels: {app: meshed}
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: bench-gateway, namespace: default}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: [%3$s]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: bench-gateway, namespace: default}
                spec:
                  hosts: [%3$s]
                  gateways: [bench-gateway]
                  http:
                  - route:
                    - destination: {host: backend}
                ---
                apiVersion: telemetry.istio.io/v1
                kind: Telemetry
                metadata: {name: trace-all, namespace: default}
                spec:
                  selector:
                    matchLabels: {%4$s: %5$s}
                  tracing:
                  - randomSamplingPercentage: 100
                """.formatted(backendPort, serverInboundPort, GATEWAY_HOST, TRACE_ALL_LABEL, TRACE_ALL_VALUE);
    }

    public Child controlPlane() {
        return controlPlane;
    }

    @Override
    public void close() {
        controlPlane.close();
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

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
import java.util.Map;

import dev.meshgate.bench.process.Child;
import dev.meshgate.bench.process.FreePorts;
import dev.meshgate.bench.tools.Nginx;
import dev.meshgate.core.security.identity.BootstrapCredentials;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The meshgate side of the data-plane benchmark: a control plane over a config directory that routes three ways
 * to the same backend, and the proxies each scenario starts.
 *
 * <ul>
 *   <li>{@value #DIRECT_HOST}: a ServiceEntry whose endpoint is the backend itself (client sidecar → backend);
 *   <li>{@value #MESHED_HOST}: a ServiceEntry selecting one WorkloadEntry, the server sidecar's inbound port
 *       (client sidecar → server sidecar → backend: two hops, as Istio reports its figures);
 *   <li>{@value #MTLS_HOST}: as {@value #MESHED_HOST}, for a server sidecar under a STRICT PeerAuthentication
 *       whose WorkloadEntry carries Istio's {@code security.istio.io/tlsMode: istio} label, so that auto mTLS makes
 *       the second hop Istio mutual TLS (both sidecars join with workload credentials from the control plane's CA);
 *   <li>{@value #GATEWAY_HOST}: a Gateway on port 80 and a VirtualService bound to it, routing to the backend;
 *   <li>{@value #GRPC_HOST} and {@value #GRPC_MESHED_HOST}: as {@value #DIRECT_HOST} and {@value #MESHED_HOST} for
 *       the gRPC backend ({@link dev.meshgate.bench.tools.GrpcBackend}), on a port declared {@code GRPC};
 *   <li>{@value #TCP_DIRECT_HOST} and {@value #TCP_MESHED_HOST}: ports declared {@code TCP} ({@value #TCP_DIRECT_PORT}
 *       and {@value #TCP_MESHED_PORT}) in front of the backend, routed as opaque TCP by Istio's default route of a TCP
 *       port (no VirtualService); a client sidecar listens for one of them on a local port ({@code tcp-port-map}),
 *       the meshed one's endpoint is the server sidecar's inbound TCP port ({@code inbound-tcp-ports}).
 * </ul>
 */
public final class BenchMesh implements AutoCloseable {

    public static final String DIRECT_HOST = "backend";
    public static final String MESHED_HOST = "meshed";
    public static final String MTLS_HOST = "meshed-mtls";
    public static final String GATEWAY_HOST = "bench.example.com";
    public static final String GRPC_HOST = "grpc-backend";
    public static final String GRPC_MESHED_HOST = "grpc-meshed";
    public static final String TCP_DIRECT_HOST = "tcp-backend";
    public static final String TCP_MESHED_HOST = "tcp-meshed";
    /** The TCP services' ports; no sidecar binds them (each maps them to a local port of its own). */
    public static final int TCP_DIRECT_PORT = 7001;
    public static final int TCP_MESHED_PORT = 7002;
    /** The proxy label a Telemetry resource selects to trace every request ({@link ProxyTelemetry#TRACE_ALL}). */
    public static final String TRACE_ALL_LABEL = "bench-tracing";
    public static final String TRACE_ALL_VALUE = "all";

    private static final long READY_MILLIS = 120_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MeshJvm jvm;
    private final Path logDir;
    private final int serverInboundPort = FreePorts.next();
    private final int mutualTlsInboundPort = FreePorts.next();
    private final int grpcInboundPort = FreePorts.next();
    private final int tcpInboundPort = FreePorts.next();
    private final Path credentialsDir;
    private final int backendPort;
    private final int grpcBackendPort;
    private final Child controlPlane;
    private final int controlPlanePort;
    private int started;

    private BenchMesh(MeshJvm jvm, Path logDir, int backendPort, int grpcBackendPort, Path configDir) {
        this.jvm = jvm;
        this.logDir = logDir;
        this.backendPort = backendPort;
        this.grpcBackendPort = grpcBackendPort;
        this.controlPlanePort = FreePorts.next();
        this.credentialsDir = configDir.resolveSibling("credentials");
        write(configDir.resolve("bench.yaml"), yaml(backendPort, serverInboundPort, mutualTlsInboundPort));
        write(configDir.resolve("protocols.yaml"), protocolsYaml(grpcBackendPort, grpcInboundPort, backendPort,
                tcpInboundPort));
        Path meshConfig = configDir.resolveSibling("mesh-config.yaml");
        write(meshConfig, meshConfigYaml());
        this.controlPlane = Child.start("config-server", jvm.command(jvm.configServerJar(), List.of(
                "--meshgate.control-plane.port=" + controlPlanePort,
                "--meshgate.control-plane.mesh-config=" + meshConfig,
                "--meshgate.control-plane.plaintext=true", "--meshgate.control-plane.tls-port=0",
                "--meshgate.control-plane.config-dir=" + configDir)), logDir);
    }

    /**
     * Writes the config into {@code configDir}, starts the control plane and waits until it is healthy.
     *
     * @param grpcBackendPort where the gRPC backend listens (started by the caller, when a gRPC scenario runs)
     */
    public static BenchMesh start(MeshJvm jvm, Path configDir, int backendPort, int grpcBackendPort, Path logDir) {
        BenchMesh mesh = new BenchMesh(jvm, logDir, backendPort, grpcBackendPort, configDir);
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

    /** Waits until {@code proxy} routes gRPC calls to {@code authority} to the gRPC backend. */
    public static void awaitGrpcRouting(Proxy proxy, String authority, Child... alsoNeeded) {
        GrpcProbe.awaitOk(proxy.port(), authority, READY_MILLIS, () -> {
            proxy.process().assertAlive();
            for (Child child : alsoNeeded) {
                child.assertAlive();
            }
        });
    }

    /** Starts a client-only sidecar and returns at once (for start-to-ready timing). */
    public Proxy launchClientSidecar(String... extraArgs) {
        return launchClientSidecar(jvm, extraArgs);
    }

    /** As {@link #launchClientSidecar(String...)}, with other JVM flags (variants compared side by side). */
    public Proxy launchClientSidecar(MeshJvm sidecarJvm, String... extraArgs) {
        int outbound = FreePorts.next();
        return new Proxy(launchClient(sidecarJvm, outbound, null, 0, extraArgs), outbound);
    }

    /**
     * Starts a client-only sidecar whose TCP listener for {@code servicePort} ({@value #TCP_DIRECT_PORT} or
     * {@value #TCP_MESHED_PORT}) is the returned port, and returns at once.
     */
    public Proxy launchTcpClientSidecar(int servicePort, String... extraArgs) {
        int listener = FreePorts.next();
        return new Proxy(launchClient(jvm, FreePorts.next(), servicePort, listener, extraArgs), listener);
    }

    private Child launchClient(MeshJvm sidecarJvm, int outbound, Integer tcpServicePort, int tcpListener,
            String... extraArgs) {
        List<String> args = new ArrayList<>(proxyArgs("client-" + ++started, "app", "bench-client"));
        args.add("--meshgate.sidecar.outbound-port=" + outbound);
        args.addAll(tcpPortMap(tcpServicePort, tcpListener));
        args.addAll(List.of(extraArgs));
        return Child.start("client-sidecar-" + started, sidecarJvm.command(sidecarJvm.sidecarJar(), args), logDir);
    }

    /**
     * Where the sidecar's outbound TCP listeners bind: {@code servicePort} (if any) on {@code listener}, the other TCP
     * service ports on free ports. Unmapped, a sidecar would bind the service port itself, as Istio's
     * {@code 0.0.0.0_<port>} listener, and the two sidecars of a path would clash on it.
     */
    private static List<String> tcpPortMap(Integer servicePort, int listener) {
        return List.of(TCP_DIRECT_PORT, TCP_MESHED_PORT).stream().map(port -> "--meshgate.sidecar.tcp-port-map." + port
                + "=" + (port.equals(servicePort) ? listener : 0)).toList();
    }

    /**
     * Starts the server sidecar in front of the backend, on the inbound port the WorkloadEntry names, and returns
     * at once: it is ready when a request through a client sidecar to {@value #MESHED_HOST} succeeds.
     */
    public Proxy launchServerSidecar(String... extraArgs) {
        return launchServer(jvm, MESHED_HOST, serverInboundPort, backendPort, List.of(), extraArgs);
    }

    /**
     * A server sidecar with other JVM flags in front of the backend, for the meshed service {@code app} the caller
     * put in the config directory ({@link #meshedServiceYaml}; variants side by side over two hops); returns at once.
     */
    public Proxy launchServerSidecar(MeshJvm sidecarJvm, String app, int inboundPort) {
        return launchServer(sidecarJvm, app, inboundPort, backendPort, List.of());
    }

    /** The server sidecar in front of the gRPC backend ({@value #GRPC_MESHED_HOST}); returns at once. */
    public Proxy launchGrpcServerSidecar(String... extraArgs) {
        return launchServer(jvm, GRPC_MESHED_HOST, grpcInboundPort, grpcBackendPort, List.of(), extraArgs);
    }

    /**
     * The server sidecar of {@value #TCP_MESHED_HOST}: its inbound TCP listener, the service's endpoint, relays to
     * the backend. Returns at once, with that listener's port.
     */
    public Proxy launchTcpServerSidecar(String... extraArgs) {
        List<String> args = new ArrayList<>(List.of(extraArgs));
        args.add("--meshgate.sidecar.inbound-tcp-ports." + tcpInboundPort + "=" + backendPort);
        Proxy server = launchServer(jvm, TCP_MESHED_HOST, FreePorts.next(), backendPort, List.of(),
                args.toArray(String[]::new));
        return new Proxy(server.process(), tcpInboundPort);
    }

    /** As {@link #launchClientSidecar}, joining with workload credentials (service account {@code bench-client}). */
    public Proxy launchMutualTlsClientSidecar(String... extraArgs) {
        return launchMutualTlsClientSidecar(jvm, extraArgs);
    }

    /** As {@link #launchMutualTlsClientSidecar(String...)}, with other JVM flags (variants side by side). */
    public Proxy launchMutualTlsClientSidecar(MeshJvm sidecarJvm, String... extraArgs) {
        List<String> args = new ArrayList<>(credentials("client-" + (started + 1), "bench-client"));
        args.addAll(List.of(extraArgs));
        return launchClientSidecar(sidecarJvm, args.toArray(String[]::new));
    }

    /** The server sidecar of {@value #MTLS_HOST}: STRICT, with workload credentials (service account meshed). */
    public Proxy launchMutualTlsServerSidecar(String... extraArgs) {
        return launchServer(jvm, MTLS_HOST, mutualTlsInboundPort, backendPort,
                credentials("server-" + (started + 1), "meshed"), extraArgs);
    }

    /**
     * A server sidecar with other JVM flags and workload credentials (service account meshed) for the mutual TLS
     * service {@code app} the caller put in the config directory ({@link #mutualTlsServiceYaml}); returns at once.
     */
    public Proxy launchMutualTlsServerSidecar(MeshJvm sidecarJvm, String app, int inboundPort) {
        return launchServer(sidecarJvm, app, inboundPort, backendPort, credentials("server-" + (started + 1), "meshed"));
    }

    private Proxy launchServer(MeshJvm sidecarJvm, String app, int inboundPort, int appPort, List<String> credentials,
            String... extraArgs) {
        List<String> args = new ArrayList<>(proxyArgs("server-" + ++started, "app", app));
        args.addAll(credentials);
        args.addAll(List.of(extraArgs));
        args.addAll(tcpPortMap(null, 0));
        args.add("--meshgate.sidecar.outbound-port=" + FreePorts.next());
        args.add("--meshgate.sidecar.inbound-port=" + inboundPort);
        args.add("--meshgate.sidecar.app-port=" + appPort);
        Child server = Child.start("server-sidecar-" + started, sidecarJvm.command(sidecarJvm.sidecarJar(), args),
                logDir);
        return new Proxy(server, inboundPort);
    }

    /**
     * What {@code meshctl workload credential NAME.default --service-account SA -o DIR} does, through the same
     * loopback admin endpoint: the proxy's arguments to join with a bootstrap token, the root and the TLS
     * discovery address.
     */
    private List<String> credentials(String name, String serviceAccount) {
        Path dir = credentialsDir.resolve(name);
        String body = JSON.writeValueAsString(
                Map.of("name", name, "namespace", "default", "serviceAccount", serviceAccount));
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + controlPlanePort + "/admin/workload-credentials"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("workload credentials for " + name + ": HTTP "
                        + response.statusCode() + " " + response.body());
            }
            JsonNode credential = JSON.readTree(response.body());
            write(dir.resolve(BootstrapCredentials.TOKEN_FILE), credential.path("token").asString());
            write(dir.resolve(BootstrapCredentials.ROOT_CERT_FILE), credential.path("rootCert").asString());
            write(dir.resolve(BootstrapCredentials.DISCOVERY_ADDRESS_FILE),
                    credential.path("discoveryAddress").asString() + "\n");
            write(dir.resolve(BootstrapCredentials.IDENTITY_FILE), credential.path("identity").asString() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return List.of("--meshgate.proxy.service-account=" + serviceAccount, "--meshgate.proxy.credentials=" + dir);
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
    static String yaml(int backendPort, int serverInboundPort, int mutualTlsInboundPort) {
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
                """.formatted(backendPort) + meshedServiceYaml(MESHED_HOST, serverInboundPort) + "---\n"
                + mutualTlsServiceYaml(MTLS_HOST, mutualTlsInboundPort) + """
                ---
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: bench-gateway, namespace: default}
                spec:
                  selector: {istio: ingressgateway}
                  servers:
                  - port: {number: 80, name: http, protocol: HTTP}
                    hosts: [%1$s]
                ---
                apiVersion: networking.istio.io/v1
                kind: VirtualService
                metadata: {name: bench-gateway, namespace: default}
                spec:
                  hosts: [%1$s]
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
                    matchLabels: {%2$s: %3$s}
                  tracing:
                  - randomSamplingPercentage: 100
                """.formatted(GATEWAY_HOST, TRACE_ALL_LABEL, TRACE_ALL_VALUE);
    }

    /**
     * A meshed service {@code name}: a ServiceEntry selecting one WorkloadEntry, a server sidecar labelled
     * {@code app: name} whose inbound listener is {@code inboundPort} (client sidecar → server sidecar → backend).
     */
    public static String meshedServiceYaml(String name, int inboundPort) {
        return serviceYaml(name, inboundPort, "", "labels: {app: %s}".formatted(name));
    }

    /**
     * As {@link #meshedServiceYaml}, under Istio mutual TLS: the WorkloadEntry runs as service account
     * {@code meshed} and carries {@code security.istio.io/tlsMode: istio} (auto mTLS), and a STRICT
     * PeerAuthentication selects it, so the service routes only over mutual TLS.
     */
    public static String mutualTlsServiceYaml(String name, int inboundPort) {
        return serviceYaml(name, inboundPort, "\n  serviceAccount: meshed",
                "labels: {app: %s, security.istio.io/tlsMode: istio}".formatted(name)) + """
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: %1$s, namespace: default}
                spec:
                  selector:
                    matchLabels: {app: %1$s}
                  mtls: {mode: STRICT}
                """.formatted(name);
    }

    private static String serviceYaml(String name, int inboundPort, String workloadFields, String labels) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: %1$s, namespace: default}
                spec:
                  hosts: [%1$s.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: 80, name: http, protocol: HTTP}]
                  workloadSelector:
                    labels: {app: %1$s}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: %1$s-1, namespace: default}
                spec:
                  address: 127.0.0.1
                  ports: {http: %2$d}%3$s
                  %4$s
                """.formatted(name, inboundPort, workloadFields, labels);
    }

    /**
     * The gRPC and TCP services: {@value #GRPC_HOST} (endpoint: the gRPC backend), {@value #GRPC_MESHED_HOST} (a
     * WorkloadEntry at the server sidecar's inbound port), {@value #TCP_DIRECT_HOST} (endpoint: the HTTP backend,
     * reached as opaque TCP) and {@value #TCP_MESHED_HOST} (endpoint: the server sidecar's inbound TCP port).
     */
    static String protocolsYaml(int grpcBackendPort, int grpcInboundPort, int backendPort, int tcpInboundPort) {
        return """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: %5$s, namespace: default}
                spec:
                  hosts: [%5$s.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: 80, name: grpc, protocol: GRPC}]
                  endpoints:
                  - address: 127.0.0.1
                    ports: {grpc: %1$d}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: %6$s, namespace: default}
                spec:
                  hosts: [%6$s.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: 80, name: grpc, protocol: GRPC}]
                  workloadSelector:
                    labels: {app: %6$s}
                ---
                apiVersion: networking.istio.io/v1
                kind: WorkloadEntry
                metadata: {name: %6$s-1, namespace: default}
                spec:
                  address: 127.0.0.1
                  ports: {grpc: %2$d}
                  labels: {app: %6$s}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: %7$s, namespace: default}
                spec:
                  hosts: [%7$s.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: %9$d, name: tcp, protocol: TCP}]
                  endpoints:
                  - address: 127.0.0.1
                    ports: {tcp: %3$d}
                ---
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: %8$s, namespace: default}
                spec:
                  hosts: [%8$s.default.svc.cluster.local]
                  location: MESH_INTERNAL
                  resolution: STATIC
                  ports: [{number: %10$d, name: tcp, protocol: TCP}]
                  endpoints:
                  - address: 127.0.0.1
                    ports: {tcp: %4$d}
                """.formatted(grpcBackendPort, grpcInboundPort, backendPort, tcpInboundPort, GRPC_HOST,
                GRPC_MESHED_HOST, TCP_DIRECT_HOST, TCP_MESHED_HOST, TCP_DIRECT_PORT, TCP_MESHED_PORT);
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

package dev.meshgate.bench.scenario;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import dev.meshgate.bench.mesh.BenchMesh;
import dev.meshgate.bench.mesh.BenchMesh.Proxy;
import dev.meshgate.bench.mesh.GrpcProbe;
import dev.meshgate.bench.mesh.ProxyTelemetry;
import dev.meshgate.bench.process.Child;
import dev.meshgate.bench.process.FreePorts;
import dev.meshgate.bench.scenario.Target.Metered;
import dev.meshgate.bench.tools.Caddy;
import dev.meshgate.bench.tools.HaProxy;
import dev.meshgate.bench.tools.Installer;
import dev.meshgate.bench.tools.Nginx;

/**
 * The paths compared, each started fresh. HTTP and TCP paths end at the same backend (nginx serving a static 1 KB
 * file; the TCP paths carry its HTTP/1.1 as opaque bytes), gRPC paths at a grpc-java server answering a unary call
 * with 1 KB ({@link dev.meshgate.bench.tools.GrpcBackend}).
 */
public enum Scenario {

    DIRECT("direct", "client → backend", null) {
        @Override
        Target start(Environment env) {
            return new Target(env.backendPort(), "backend", List.of(), List.of());
        }
    },
    NGINX("nginx", "client → nginx reverse proxy (keepalive upstream) → backend", Installer.Tool.NGINX) {
        @Override
        Target start(Environment env) {
            int port = FreePorts.next();
            Child nginx = Nginx.startProxy(env.tools().path(Installer.Tool.NGINX), env.scratch("nginx-proxy"), port,
                    env.backendPort(), env.connections(), env.logDir());
            awaitListening(port, nginx);
            return new Target(port, "backend", List.of(new Metered("nginx", nginx)), List.of(nginx));
        }
    },
    TWO_NGINX("nginx+nginx", "client → nginx → nginx (each a reverse proxy, keepalive upstream) → backend",
            Installer.Tool.NGINX) {
        @Override
        Target start(Environment env) {
            // Two processes, as two sidecars are: the baseline of issue #13's "<= 3x what two nginx hops add".
            int second = FreePorts.next();
            int first = FreePorts.next();
            Path nginx = env.tools().path(Installer.Tool.NGINX);
            Child server = Nginx.startProxy(nginx, env.scratch("nginx-second"), second, env.backendPort(),
                    env.connections(), env.logDir());
            Child client = Nginx.startProxy(nginx, env.scratch("nginx-first"), first, second, env.connections(),
                    env.logDir());
            awaitListening(second, server);
            awaitListening(first, client);
            return new Target(first, "backend",
                    List.of(new Metered("first nginx", client), new Metered("second nginx", server)),
                    List.of(server, client));
        }
    },
    HAPROXY("haproxy", "client → HAProxy (http-reuse always) → backend", Installer.Tool.HAPROXY) {
        @Override
        Target start(Environment env) {
            int port = FreePorts.next();
            Child haproxy = HaProxy.startProxy(env.tools().path(Installer.Tool.HAPROXY), env.scratch("haproxy"), port,
                    env.backendPort(), env.logDir());
            awaitListening(port, haproxy);
            return new Target(port, "backend", List.of(new Metered("haproxy", haproxy)), List.of(haproxy));
        }
    },
    CADDY("caddy", "client → Caddy reverse_proxy (keep-alive upstream; Go, garbage-collected like the JVM) → backend",
            Installer.Tool.CADDY) {
        @Override
        Target start(Environment env) {
            int port = FreePorts.next();
            Child caddy = Caddy.startProxy(env.tools().path(Installer.Tool.CADDY), env.scratch("caddy"), port,
                    env.backendPort(), env.connections(), env.logDir());
            awaitListening(port, caddy);
            return new Target(port, "backend", List.of(new Metered("caddy", caddy)), List.of(caddy));
        }
    },
    SIDECAR("sidecar", "client → meshgate client sidecar (outbound) → backend", ProxyTelemetry.DEFAULT, 1),
    TWO_SIDECARS("sidecar+sidecar", "client → client sidecar → server sidecar (inbound) → backend",
            ProxyTelemetry.DEFAULT, 2),
    SIDECAR_NO_METRICS("sidecar-nometrics", "as sidecar, with Istio metrics off (tracing at 1 %)",
            ProxyTelemetry.NO_METRICS, 1),
    TWO_SIDECARS_NO_METRICS("sidecar+sidecar-nometrics",
            "as sidecar+sidecar, with Istio metrics and peer metadata exchange off (tracing at 1 %)",
            ProxyTelemetry.NO_METRICS, 2),
    SIDECAR_TRACE_ALL("sidecar-trace100", "as sidecar, with every request traced (metrics on)",
            ProxyTelemetry.TRACE_ALL, 1),
    TWO_SIDECARS_TRACE_ALL("sidecar+sidecar-trace100", "as sidecar+sidecar, with every request traced (metrics on)",
            ProxyTelemetry.TRACE_ALL, 2),
    SIDECAR_NO_TELEMETRY("sidecar-notelemetry", "as sidecar, with metrics and tracing off (issue #9's baseline)",
            ProxyTelemetry.OFF, 1),
    TWO_SIDECARS_NO_TELEMETRY("sidecar+sidecar-notelemetry",
            "as sidecar+sidecar, with metrics and tracing off (issue #9's baseline)", ProxyTelemetry.OFF, 2),
    TWO_SIDECARS_MTLS("sidecar+sidecar-mtls", "as sidecar+sidecar, over Istio mutual TLS (the server under a STRICT "
            + "PeerAuthentication, both with workload certificates from the control plane's CA; issue #13's proxy)",
            ProxyTelemetry.DEFAULT, 2) {
        @Override
        public boolean mutualTls() {
            return true;
        }
    },
    GATEWAY("gateway", "client → meshgate ingress gateway → backend", null) {
        @Override
        Target start(Environment env) {
            Proxy gateway = env.mesh().startGateway();
            return new Target(gateway.port(), BenchMesh.GATEWAY_HOST,
                    List.of(new Metered("gateway", gateway.process())), List.of(gateway.process()));
        }
    },
    GRPC_DIRECT("grpc-direct", "gRPC client → gRPC backend", null, Protocol.GRPC) {
        @Override
        Target start(Environment env) {
            return new Target(env.grpcBackendPort(), BenchMesh.GRPC_HOST, List.of(), List.of());
        }
    },
    GRPC_NGINX("grpc-nginx", "gRPC client → nginx grpc_pass (HTTP/2 keepalive upstream) → gRPC backend",
            Installer.Tool.NGINX, Protocol.GRPC) {
        @Override
        Target start(Environment env) {
            int port = FreePorts.next();
            Child nginx = Nginx.startGrpcProxy(env.tools().path(Installer.Tool.NGINX), env.scratch("nginx-grpc"),
                    port, env.grpcBackendPort(), env.connections(), env.logDir());
            GrpcProbe.awaitOk(port, BenchMesh.GRPC_HOST, 30_000, nginx::assertAlive);
            return new Target(port, BenchMesh.GRPC_HOST, List.of(new Metered("nginx", nginx)), List.of(nginx));
        }
    },
    GRPC_SIDECAR("grpc-sidecar", "gRPC client → client sidecar (outbound, GRPC port) → gRPC backend",
            ProxyTelemetry.DEFAULT, 1, Protocol.GRPC),
    GRPC_TWO_SIDECARS("grpc-sidecar+sidecar",
            "gRPC client → client sidecar → server sidecar (inbound, HTTP/2) → gRPC backend", ProxyTelemetry.DEFAULT, 2,
            Protocol.GRPC),
    TCP_DIRECT("tcp-direct", "client → backend (the TCP paths' baseline: the same bytes as direct)", null,
            Protocol.TCP) {
        @Override
        Target start(Environment env) {
            return new Target(env.backendPort(), BenchMesh.DIRECT_HOST, List.of(), List.of());
        }
    },
    TCP_NGINX("tcp-nginx", "client → nginx stream proxy_pass (TCP) → backend", Installer.Tool.NGINX_STREAM,
            Protocol.TCP) {
        @Override
        Target start(Environment env) {
            int port = FreePorts.next();
            Child nginx = Nginx.startStreamProxy(env.tools().path(Installer.Tool.NGINX),
                    env.tools().path(Installer.Tool.NGINX_STREAM), env.scratch("nginx-stream"), port,
                    env.backendPort(), env.logDir());
            awaitListening(port, nginx);
            return new Target(port, BenchMesh.DIRECT_HOST, List.of(new Metered("nginx", nginx)), List.of(nginx));
        }
    },
    TCP_HAPROXY("tcp-haproxy", "client → HAProxy mode tcp → backend", Installer.Tool.HAPROXY, Protocol.TCP) {
        @Override
        Target start(Environment env) {
            int port = FreePorts.next();
            Child haproxy = HaProxy.startTcpProxy(env.tools().path(Installer.Tool.HAPROXY), env.scratch("haproxy-tcp"),
                    port, env.backendPort(), env.logDir());
            awaitListening(port, haproxy);
            return new Target(port, BenchMesh.DIRECT_HOST, List.of(new Metered("haproxy", haproxy)),
                    List.of(haproxy));
        }
    },
    TCP_SIDECAR("tcp-sidecar", "client → client sidecar (TCP listener of a TCP port) → backend",
            ProxyTelemetry.DEFAULT, 1, Protocol.TCP),
    TCP_TWO_SIDECARS("tcp-sidecar+sidecar",
            "client → client sidecar → server sidecar (inbound TCP listener) → backend", ProxyTelemetry.DEFAULT, 2,
            Protocol.TCP),
    TCP_DIRECT_CHURN("tcp-direct-churn", "as tcp-direct, a new connection per request", null, Protocol.TCP_CHURN) {
        @Override
        Target start(Environment env) {
            return TCP_DIRECT.start(env);
        }
    },
    TCP_NGINX_CHURN("tcp-nginx-churn", "as tcp-nginx, a new connection per request", Installer.Tool.NGINX_STREAM,
            Protocol.TCP_CHURN) {
        @Override
        Target start(Environment env) {
            return TCP_NGINX.start(env);
        }
    },
    TCP_HAPROXY_CHURN("tcp-haproxy-churn", "as tcp-haproxy, a new connection per request", Installer.Tool.HAPROXY,
            Protocol.TCP_CHURN) {
        @Override
        Target start(Environment env) {
            return TCP_HAPROXY.start(env);
        }
    },
    TCP_SIDECAR_CHURN("tcp-sidecar-churn", "as tcp-sidecar, a new connection per request", ProxyTelemetry.DEFAULT, 1,
            Protocol.TCP_CHURN),
    TCP_TWO_SIDECARS_CHURN("tcp-sidecar+sidecar-churn", "as tcp-sidecar+sidecar, a new connection per request",
            ProxyTelemetry.DEFAULT, 2, Protocol.TCP_CHURN);

    /**
     * What a path's clients speak, which decides the load (HTTP/1.1 requests for HTTP and TCP, grpc-java calls for
     * gRPC) and which scenarios its figures are compared with: its direct path and nginx doing the same job.
     * {@code TCP_CHURN} is TCP with a new connection per request ({@code Connection: close}): a TCP proxy's other
     * cost, accepting, connecting upstream and closing, once per request.
     */
    public enum Protocol {
        HTTP("direct", "nginx"),
        GRPC("grpc-direct", "grpc-nginx"),
        TCP("tcp-direct", "tcp-nginx"),
        TCP_CHURN("tcp-direct-churn", "tcp-nginx-churn");

        private final String direct;
        private final String nginx;

        Protocol(String direct, String nginx) {
            this.direct = direct;
            this.nginx = nginx;
        }

        /** The label of the path without a proxy. */
        public String direct() {
            return direct;
        }

        /** The label of nginx's path. */
        public String nginx() {
            return nginx;
        }
    }

    private final String label;
    private final String path;
    private final Installer.Tool needs;
    private final ProxyTelemetry telemetry;
    private final int sidecars;
    private final Protocol protocol;

    Scenario(String label, String path, Installer.Tool needs) {
        this(label, path, needs, Protocol.HTTP);
    }

    Scenario(String label, String path, Installer.Tool needs, Protocol protocol) {
        this.label = label;
        this.path = path;
        this.needs = needs;
        this.telemetry = null;
        this.sidecars = 0;
        this.protocol = protocol;
    }

    Scenario(String label, String path, ProxyTelemetry telemetry, int sidecars) {
        this(label, path, telemetry, sidecars, Protocol.HTTP);
    }

    /** A path through one sidecar (client → backend) or two (client → server → backend). */
    Scenario(String label, String path, ProxyTelemetry telemetry, int sidecars, Protocol protocol) {
        this.label = label;
        this.path = path;
        this.needs = null;
        this.telemetry = telemetry;
        this.sidecars = sidecars;
        this.protocol = protocol;
    }

    /** Starts what this path needs; the caller closes the target. */
    Target start(Environment env) {
        String[] args = telemetry.args();
        return switch (protocol) {
            case HTTP -> httpSidecars(env, args);
            case GRPC -> grpcSidecars(env, args);
            case TCP, TCP_CHURN -> tcpSidecars(env, args);
        };
    }

    private Target grpcSidecars(Environment env, String[] args) {
        Proxy server = sidecars == 2 ? env.mesh().launchGrpcServerSidecar(args) : null;
        Proxy client = env.mesh().launchClientSidecar(args);
        String host = sidecars == 2 ? BenchMesh.GRPC_MESHED_HOST : BenchMesh.GRPC_HOST;
        BenchMesh.awaitGrpcRouting(client, host, server == null ? new Child[0] : new Child[] {server.process()});
        return sidecarTarget(client.port(), host, client, server);
    }

    private Target tcpSidecars(Environment env, String[] args) {
        Proxy server = sidecars == 2 ? env.mesh().launchTcpServerSidecar(args) : null;
        Proxy client = env.mesh().launchTcpClientSidecar(
                sidecars == 2 ? BenchMesh.TCP_MESHED_PORT : BenchMesh.TCP_DIRECT_PORT, args);
        // The bytes are the backend's HTTP/1.1; the Host header means nothing to the TCP proxies.
        BenchMesh.awaitRouting(client, BenchMesh.DIRECT_HOST,
                server == null ? new Child[0] : new Child[] {server.process()});
        return sidecarTarget(client.port(), BenchMesh.DIRECT_HOST, client, server);
    }

    private static Target sidecarTarget(int port, String host, Proxy client, Proxy server) {
        if (server == null) {
            return new Target(port, host, List.of(new Metered("client sidecar", client.process())),
                    List.of(client.process()));
        }
        return new Target(port, host, List.of(new Metered("client sidecar", client.process()),
                new Metered("server sidecar", server.process())), List.of(server.process(), client.process()));
    }

    private Target httpSidecars(Environment env, String[] args) {
        if (sidecars == 1) {
            Proxy client = env.mesh().launchClientSidecar(args);
            BenchMesh.awaitRouting(client, BenchMesh.DIRECT_HOST);
            return new Target(client.port(), BenchMesh.DIRECT_HOST,
                    List.of(new Metered("client sidecar", client.process())), List.of(client.process()));
        }
        // Both start at once; routing through the client sidecar to the meshed host needs both.
        Proxy server = mutualTls() ? env.mesh().launchMutualTlsServerSidecar(args)
                : env.mesh().launchServerSidecar(args);
        Proxy client = mutualTls() ? env.mesh().launchMutualTlsClientSidecar(args)
                : env.mesh().launchClientSidecar(args);
        String host = mutualTls() ? BenchMesh.MTLS_HOST : BenchMesh.MESHED_HOST;
        // Under STRICT, a plaintext request would be refused: routing proves the hop is mutual TLS.
        BenchMesh.awaitRouting(client, host, server.process());
        return new Target(client.port(), host,
                List.of(new Metered("client sidecar", client.process()),
                        new Metered("server sidecar", server.process())),
                List.of(server.process(), client.process()));
    }

    /**
     * Whether the sidecars join with workload certificates and the second hop is Istio mutual TLS. Telemetry cost
     * ({@code TelemetryCost}) leaves these out: their baseline differs by more than telemetry.
     */
    public boolean mutualTls() {
        return false;
    }

    /** What the scenario's sidecars record, or null for a path without one (direct, nginx, HAProxy, Caddy, gateway). */
    public ProxyTelemetry telemetry() {
        return telemetry;
    }

    /** The scenario of that label, if any. */
    public static Optional<Scenario> labelled(String label) {
        return Arrays.stream(values()).filter(scenario -> scenario.label.equals(label)).findFirst();
    }

    /** What the path's clients speak. */
    public Protocol protocol() {
        return protocol;
    }

    /** How many sidecars the path crosses (0 for the others). */
    public int sidecars() {
        return sidecars;
    }

    public String label() {
        return label;
    }

    public String path() {
        return path;
    }

    /** The tool this scenario cannot run without, or null. */
    public Installer.Tool needs() {
        return needs;
    }

    /** What every scenario shares: the tools, the backend, the mesh's control plane, where files go. */
    public record Environment(Installer tools, int backendPort, int grpcBackendPort, BenchMesh mesh, int connections,
            Path runDir, Path logDir) {

        Path scratch(String name) {
            return runDir.resolve(name);
        }
    }

    static void awaitListening(int port, Child child) {
        dev.meshgate.bench.mesh.HttpProbe.awaitOk(port, "backend", Nginx.PAYLOAD_PATH, 30_000, child::assertAlive);
    }
}

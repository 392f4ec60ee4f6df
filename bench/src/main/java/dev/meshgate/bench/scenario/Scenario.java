package dev.meshgate.bench.scenario;

import java.nio.file.Path;
import java.util.List;

import dev.meshgate.bench.mesh.BenchMesh;
import dev.meshgate.bench.mesh.BenchMesh.Proxy;
import dev.meshgate.bench.mesh.ProxyTelemetry;
import dev.meshgate.bench.process.Child;
import dev.meshgate.bench.process.FreePorts;
import dev.meshgate.bench.scenario.Target.Metered;
import dev.meshgate.bench.tools.Caddy;
import dev.meshgate.bench.tools.HaProxy;
import dev.meshgate.bench.tools.Installer;
import dev.meshgate.bench.tools.Nginx;

/** The paths compared, all to the same backend (nginx serving a static 1 KB file), each started fresh. */
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
    };

    private final String label;
    private final String path;
    private final Installer.Tool needs;
    private final ProxyTelemetry telemetry;
    private final int sidecars;

    Scenario(String label, String path, Installer.Tool needs) {
        this.label = label;
        this.path = path;
        this.needs = needs;
        this.telemetry = null;
        this.sidecars = 0;
    }

    /** A path through one sidecar (client → backend) or two (client → server → backend). */
    Scenario(String label, String path, ProxyTelemetry telemetry, int sidecars) {
        this.label = label;
        this.path = path;
        this.needs = null;
        this.telemetry = telemetry;
        this.sidecars = sidecars;
    }

    /** Starts what this path needs; the caller closes the target. */
    Target start(Environment env) {
        String[] args = telemetry.args();
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
    public record Environment(Installer tools, int backendPort, BenchMesh mesh, int connections, Path runDir,
            Path logDir) {

        Path scratch(String name) {
            return runDir.resolve(name);
        }
    }

    static void awaitListening(int port, Child child) {
        dev.meshgate.bench.mesh.HttpProbe.awaitOk(port, "backend", Nginx.PAYLOAD_PATH, 30_000, child::assertAlive);
    }
}

package dev.meshgate.core.translate.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.networking.gateway.Gateway;
import dev.meshgate.core.networking.gateway.Server;
import dev.meshgate.core.networking.gateway.ServerTlsSettings;
import dev.meshgate.core.networking.gateway.ServerTlsSettings.TlsMode;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.view.ProxyIdentity;

/**
 * The {@code Gateway.spec.servers[]} a gateway proxy serves, by port, each classified by how it is served, as
 * pilot's gateway listener building does: HTTP (HTTP, HTTP2, GRPC, GRPC-WEB, no protocol), HTTPS terminating TLS (SIMPLE,
 * MUTUAL, OPTIONAL_MUTUAL, ISTIO_MUTUAL), TLS passed through by SNI (HTTPS or TLS with PASSTHROUGH, Istio's default mode),
 * TLS routed by an SNI naming the cluster (AUTO_PASSTHROUGH), opaque TCP (TCP, MONGO, MYSQL, REDIS without
 * {@code tls}) and TLS terminated into TCP (TLS with a terminating mode). The first two are served by an HTTP listener,
 * the others by a TCP listener; a port is served one way, decided by its first server (Gateways in index order, servers
 * in written order), and servers of the other way on that port are left out ({@link #sharePort}), except that
 * HTTPS servers terminating TLS and (AUTO_)PASSTHROUGH servers share a port, told apart by the ClientHello's SNI as
 * Envoy's filter chains are. Servers meshgate does not serve (UDP) are left out;
 * validation reports them.
 */
public final class GatewayServers {

    private static final Set<String> HTTP_PROTOCOLS = Set.of("HTTP", "HTTP2", "GRPC", "GRPC-WEB");
    private static final Set<String> TCP_PROTOCOLS = Set.of("TCP", "MONGO", "MYSQL", "REDIS");
    private static final Set<TlsMode> TERMINATED = Set.of(TlsMode.SIMPLE, TlsMode.MUTUAL, TlsMode.OPTIONAL_MUTUAL,
            TlsMode.ISTIO_MUTUAL);

    /** How a server is served. */
    public enum Kind {
        HTTP, TERMINATED_HTTPS, PASSTHROUGH, AUTO_PASSTHROUGH, OPAQUE_TCP, TERMINATED_TLS;

        /** Whether the server is served by an HTTP listener (else by a TCP one). */
        public boolean http() {
            return this == HTTP || this == TERMINATED_HTTPS;
        }

        /** Whether the server is chosen by the ClientHello's SNI (TLS terminated or passed through). */
        boolean bySni() {
            return this == TERMINATED_HTTPS || this == PASSTHROUGH || this == AUTO_PASSTHROUGH;
        }
    }

    /**
     * Whether a server of {@code kind} is served on a port whose first server is of {@code head}: when both are
     * served the same way (HTTP or TCP listener), or both are chosen by SNI (Istio serves HTTPS terminated and
     * TLS passed through on one port, one filter chain per server name).
     */
    public static boolean sharePort(Kind head, Kind kind) {
        if (head == Kind.TERMINATED_TLS || kind == Kind.TERMINATED_TLS) {
            // a port terminating TLS into TCP terminates every connection: it serves no passthrough or plain TCP
            return head == kind;
        }
        return head.http() == kind.http() || head.bySni() && kind.bySni();
    }

    /** A server of a Gateway selecting the proxy, with its index in {@code spec.servers}. */
    record BoundServer(Resource<Gateway> gateway, Server server, int index, Kind kind) {
    }

    private GatewayServers() {
    }

    /** The servers of the Gateways selecting {@code proxy} that are served over HTTP ({@code http}) or TCP. */
    static Map<Integer, List<BoundServer>> byPort(MeshIndex index, ProxyIdentity proxy, boolean http) {
        Map<Integer, List<BoundServer>> all = new TreeMap<>();
        for (Resource<Gateway> gateway : index.gateways()) {
            if (!proxy.labels().entrySet().containsAll(gateway.spec().selector().entrySet())) {
                continue;
            }
            for (int i = 0; i < gateway.spec().servers().size(); i++) {
                Server server = gateway.spec().servers().get(i);
                Kind kind = kind(server);
                if (server.port() == null || server.port().number() == null || kind == null) {
                    continue;
                }
                all.computeIfAbsent(server.port().number(), k -> new ArrayList<>())
                        .add(new BoundServer(gateway, server, i, kind));
            }
        }
        Map<Integer, List<BoundServer>> out = new TreeMap<>();
        all.forEach((port, servers) -> {
            Kind head = servers.get(0).kind();
            List<BoundServer> served = servers.stream()
                    .filter(s -> s.kind().http() == http && sharePort(head, s.kind())).toList();
            if (!served.isEmpty()) {
                out.put(port, served);
            }
        });
        return out;
    }

    /** How {@code server} is served; null when meshgate does not serve it. */
    public static @Nullable Kind kind(Server server) {
        if (server.port() == null) {
            return null;
        }
        String written = server.port().protocol();
        String protocol = written == null || written.isEmpty() ? "HTTP" : written.toUpperCase(Locale.ROOT);
        ServerTlsSettings tls = server.tls();
        if (HTTP_PROTOCOLS.contains(protocol)) {
            return Kind.HTTP;
        }
        if (TCP_PROTOCOLS.contains(protocol)) {
            return tls == null ? Kind.OPAQUE_TCP : null;
        }
        if (tls == null || !(protocol.equals("HTTPS") || protocol.equals("TLS"))) {
            return null;
        }
        // Istio's default mode (the proto's zero value) is PASSTHROUGH.
        TlsMode mode = tls.mode() == null ? TlsMode.PASSTHROUGH : tls.mode();
        if (mode == TlsMode.PASSTHROUGH) {
            return Kind.PASSTHROUGH;
        }
        if (mode == TlsMode.AUTO_PASSTHROUGH) {
            return Kind.AUTO_PASSTHROUGH;
        }
        if (TERMINATED.contains(mode)) {
            return protocol.equals("HTTPS") ? Kind.TERMINATED_HTTPS : Kind.TERMINATED_TLS;
        }
        return null;
    }

    /**
     * Whether a plain text HTTP port is a {@code GRPC-WEB} port: pilot gives the port's HTTP connection manager the
     * protocol of its first server (the merged servers' port) and adds Envoy's {@code grpc_web} filter for
     * {@code GRPC-WEB}; an HTTPS port's is {@code HTTPS}, without the filter.
     */
    static boolean grpcWeb(List<BoundServer> servers) {
        Server first = servers.get(0).server();
        return first.port() != null && "GRPC-WEB".equalsIgnoreCase(first.port().protocol());
    }

    /** A server host without its {@code namespace/} part, lower case. */
    static String hostPart(String serverHost) {
        return serverHost.substring(serverHost.indexOf('/') + 1).toLowerCase(Locale.ROOT);
    }
}

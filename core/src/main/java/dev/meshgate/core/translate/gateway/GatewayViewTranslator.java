package dev.meshgate.core.translate.gateway;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.index.MeshIndex;
import dev.meshgate.core.networking.gateway.CipherSuites;
import dev.meshgate.core.networking.gateway.ServerTlsSettings;
import dev.meshgate.core.networking.gateway.ServerTlsSettings.TlsProtocol;
import dev.meshgate.core.networking.gateway.ServerTlsSettings.TlsMode;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.registry.Visibility;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.HostResolver;
import dev.meshgate.core.translate.VirtualHostDomains;
import dev.meshgate.core.translate.cluster.ClusterKey;
import dev.meshgate.core.translate.gateway.GatewayServers.BoundServer;
import dev.meshgate.core.translate.gateway.GatewayServers.Kind;
import dev.meshgate.core.translate.http.HttpRouteTranslator;
import dev.meshgate.core.translate.http.RouteContext;
import dev.meshgate.core.view.ListenerSpec;
import dev.meshgate.core.view.ProxyIdentity;
import dev.meshgate.core.view.RouteSpec;
import dev.meshgate.core.view.ServerTlsSpec;
import dev.meshgate.core.view.VirtualHostSpec;

/**
 * Implements {@code Gateway.spec.selector}, {@code Gateway.spec.servers[]} ({@code port.number},
 * {@code port.protocol}, {@code hosts}) and {@code VirtualService.spec.gateways} naming a Gateway, for a gateway
 * proxy.
 *
 * <ul>
 *   <li>A Gateway applies when every label of its {@code selector} is one of the proxy's (any namespace).
 *   <li>Each HTTP server (protocol HTTP, HTTP2, GRPC, GRPC-WEB or absent) gives a listener {@code gateway/<port>};
 *       servers on the same port, of one Gateway or several, share it. A plain text port whose first server is
 *       {@code GRPC-WEB} gets Envoy's {@code grpc_web} filter ({@code ListenerSpec.grpcWeb}), as pilot adds it to
 *       that port's HTTP connection manager.
 *   <li>A VirtualService bound to the Gateway ({@code ns/name}, or {@code name} in the VirtualService's
 *       namespace) serves the intersection of its hosts with the server's {@code [ns/]host}s (wildcards both
 *       ways; the {@code ns} part, {@code *}, {@code .} or a namespace, must admit the VirtualService's
 *       namespace). Several VirtualServices for one host have their routes concatenated, as Istio merges them on
 *       gateways, in {@link MeshIndex#virtualServicePrecedence} order (private to the gateway's namespace,
 *       exported to it, public; each oldest first). A VirtualService bound through several of the Gateways on one port is
 *       translated once there; a match-level {@code gateways} holds if it names any of them.
 *   <li>A server host no VirtualService serves gets no virtual host: the gateway answers 404.
 *   <li>An HTTPS server terminating TLS ({@code tls.mode} SIMPLE, MUTUAL, OPTIONAL_MUTUAL or ISTIO_MUTUAL) serves HTTP as
 *       above and adds a {@link ServerTlsSpec} to its port's listener: its hosts are the SNI names it answers, as
 *       Envoy's filter chain {@code server_names}. A port with an HTTPS server is a TLS listener: plain text
 *       servers on it (a conflict Istio reports) are left out, so nothing is served without TLS there.
 *       ISTIO_MUTUAL carries no files: the gateway presents its workload certificate and requires one chaining to
 *       the mesh roots, as pilot's gateway filter chain with the SDS {@code default} and {@code ROOTCA} secrets.
 *   <li>{@code tls.httpsRedirect} on a plain text server lists its hosts in the listener's
 *       {@code httpsRedirectHosts} (Envoy's {@code require_tls} on their virtual hosts).
 *   <li>{@code cipherSuites} are translated to IANA names; ones meshgate cannot offer are dropped (validation
 *       warns); {@code TLS_AUTO} is left to the defaults.
 * </ul>
 * TCP servers and TLS passed through are {@link GatewayTcpServerTranslator}'s; which servers a port serves is
 * {@link GatewayServers}'. Not supported: the other
 * {@code tls} fields validation reports, {@code bind}, {@code defaultEndpoint}, {@code port.targetPort}.
 */
public final class GatewayViewTranslator {

    private GatewayViewTranslator() {
    }

    /** The listeners of {@code proxy}, by port; every cluster their routes name is added to {@code clusters}. */
    public static List<ListenerSpec> translate(MeshIndex index, ProxyIdentity proxy, Set<ClusterKey> clusters) {
        Map<Integer, List<BoundServer>> serversByPort = GatewayServers.byPort(index, proxy, true);
        List<ListenerSpec> listeners = new ArrayList<>();
        serversByPort.forEach((port, all) -> {
            List<BoundServer> servers = all;
            List<ServerTlsSpec> tls = new ArrayList<>();
            for (BoundServer bound : all) {
                if (bound.kind() == Kind.TERMINATED_HTTPS) {
                    tls.add(tls(bound));
                }
            }
            if (!tls.isEmpty()) {
                servers = all.stream().filter(b -> b.kind() == Kind.TERMINATED_HTTPS).toList();
            }
            Set<String> redirects = new TreeSet<>();
            for (BoundServer bound : servers) {
                ServerTlsSettings settings = bound.server().tls();
                if (tls.isEmpty() && settings != null && Boolean.TRUE.equals(settings.httpsRedirect())) {
                    bound.server().hosts().forEach(h -> redirects.add(hostPart(h)));
                }
            }
            listeners.add(new ListenerSpec("gateway/" + port, port, ListenerSpec.Direction.GATEWAY,
                    virtualHosts(index, proxy, port, servers, clusters), tls, List.copyOf(redirects),
                    tls.isEmpty() && GatewayServers.grpcWeb(all)));
        });
        return listeners;
    }

    /** The TLS settings of a server terminating TLS (HTTPS, or TLS into TCP). */
    static ServerTlsSpec tls(BoundServer bound) {
        ServerTlsSettings settings = bound.server().tls();
        Set<String> sni = new TreeSet<>();
        bound.server().hosts().forEach(h -> sni.add(hostPart(h)));
        List<String> ciphers = new ArrayList<>();
        for (String suite : settings.cipherSuites()) {
            String iana = CipherSuites.iana(suite);
            if (iana != null && !ciphers.contains(iana)) {
                ciphers.add(iana);
            }
        }
        String server = bound.gateway().key() + " servers[" + bound.index() + "]";
        // What a verified client certificate must match besides its chain; SIMPLE verifies none (MG0001).
        boolean verifies = settings.mode() == TlsMode.MUTUAL || settings.mode() == TlsMode.OPTIONAL_MUTUAL
                || settings.mode() == TlsMode.ISTIO_MUTUAL;
        List<String> sans = verifies ? settings.subjectAltNames() : List.of();
        List<String> spki = verifies ? settings.verifyCertificateSpki() : List.of();
        List<String> hashes = verifies ? settings.verifyCertificateHash() : List.of();
        if (settings.mode() == TlsMode.ISTIO_MUTUAL) {
            // the mesh's certificates; files and credentialName are an error (MG0313), never used
            return new ServerTlsSpec(server, List.copyOf(sni), TlsMode.ISTIO_MUTUAL, null, null, null, null,
                    version(settings.minProtocolVersion()), version(settings.maxProtocolVersion()), ciphers, null,
                    sans, spki, hashes);
        }
        // credentialNames, tlsCertificates (validation: one source of certificates, at most two): the first as
        // credentialName or the files, the second as the alternate
        String credential = settings.credentialName() != null || settings.credentialNames().isEmpty()
                ? settings.credentialName() : settings.credentialNames().get(0);
        ServerTlsSettings.TlsCertificate files = credential == null && settings.serverCertificate() == null
                && !settings.tlsCertificates().isEmpty() ? settings.tlsCertificates().get(0)
                : new ServerTlsSettings.TlsCertificate(settings.serverCertificate(), settings.privateKey(),
                        settings.caCertificates());
        ServerTlsSpec.Alternate alternate = null;
        if (settings.credentialName() == null && settings.credentialNames().size() == 2) {
            alternate = new ServerTlsSpec.Alternate(settings.credentialNames().get(1), null, null);
        } else if (credential == null && settings.serverCertificate() == null
                && settings.tlsCertificates().size() == 2) {
            ServerTlsSettings.TlsCertificate second = settings.tlsCertificates().get(1);
            alternate = new ServerTlsSpec.Alternate(null, second.serverCertificate(), second.privateKey());
        }
        return new ServerTlsSpec(server, List.copyOf(sni),
                settings.mode(), credential,
                credential == null ? files.serverCertificate() : null,
                credential == null ? files.privateKey() : null,
                credential == null ? files.caCertificates() : null,
                version(settings.minProtocolVersion()), version(settings.maxProtocolVersion()), ciphers,
                credential == null && (settings.mode() == TlsMode.MUTUAL
                        || settings.mode() == TlsMode.OPTIONAL_MUTUAL) ? settings.caCrl() : null,
                sans, spki, hashes, alternate);
    }

    private static @Nullable TlsProtocol version(@Nullable TlsProtocol version) {
        return version == TlsProtocol.TLS_AUTO ? null : version;
    }

    private static String hostPart(String serverHost) {
        return GatewayServers.hostPart(serverHost);
    }

    private static List<VirtualHostSpec> virtualHosts(MeshIndex index, ProxyIdentity proxy, int port,
            List<BoundServer> servers, Set<ClusterKey> clusters) {
        String suffix = index.settings().domainSuffix();
        // host -> VirtualService (by namespace/name) -> the Gateways it is bound through for that host
        Map<String, Map<String, Binding>> bindings = new TreeMap<>();
        for (BoundServer bound : servers) {
            String gatewayKey = bound.gateway().key();
            for (Resource<VirtualService> vs : index.virtualServicesOfGateway(gatewayKey)) {
                if (!Visibility.isExportedTo(vs.spec().exportTo(), vs.metadata().namespace(), proxy.namespace())) {
                    continue;
                }
                for (String written : vs.spec().hosts()) {
                    String vsHost = HostResolver.resolve(written, vs.metadata().namespace(), suffix);
                    for (String serverHost : bound.server().hosts()) {
                        String host = intersection(serverHost, vsHost, vs.metadata().namespace(),
                                bound.gateway().metadata().namespace());
                        if (host != null) {
                            bindings.computeIfAbsent(host, k -> new TreeMap<>())
                                    .computeIfAbsent(vs.key(), k -> new Binding(vs, new TreeSet<>()))
                                    .gateways().add(gatewayKey);
                        }
                    }
                }
            }
        }
        Set<String> claimed = new HashSet<>();
        List<VirtualHostSpec> out = new ArrayList<>();
        bindings.forEach((host, byVirtualService) -> {
            List<RouteSpec> routes = new ArrayList<>();
            List<Binding> ordered = new ArrayList<>(byVirtualService.values());
            ordered.sort(Comparator.comparing(Binding::virtualService,
                    MeshIndex.virtualServicePrecedence(proxy.namespace())));
            for (Binding binding : ordered) {
                RouteContext context = new RouteContext(index, proxy, binding.gateways(), port, clusters);
                for (int i = 0; i < binding.virtualService().spec().http().size(); i++) {
                    RouteSpec route = HttpRouteTranslator.translate(binding.virtualService(), i, context);
                    if (route != null) {
                        routes.add(route);
                    }
                }
            }
            if (routes.isEmpty()) {
                return;
            }
            List<String> domains = new ArrayList<>();
            for (String domain : VirtualHostDomains.forGateway(host, port)) {
                if (claimed.add(domain)) {
                    domains.add(domain);
                }
            }
            if (!domains.isEmpty()) {
                out.add(new VirtualHostSpec(host + ":" + port, domains, routes));
            }
        });
        return out;
    }

    /**
     * The hosts a server host {@code [ns/]host} and a VirtualService host both cover, when the server admits
     * VirtualServices of {@code vsNamespace}; null otherwise.
     */
    static @Nullable String intersection(String serverHost, String vsHost, String vsNamespace,
            String gatewayNamespace) {
        String namespace = "*";
        String host = serverHost;
        int slash = serverHost.indexOf('/');
        if (slash >= 0) {
            namespace = serverHost.substring(0, slash);
            host = serverHost.substring(slash + 1);
        }
        boolean admitted = namespace.equals("*") || namespace.equals(vsNamespace)
                || (namespace.equals(".") && gatewayNamespace.equals(vsNamespace));
        if (!admitted) {
            return null;
        }
        return HostResolver.intersection(host.toLowerCase(Locale.ROOT), vsHost);
    }

    /** A VirtualService serving one host of a listener, and the Gateways ({@code ns/name}) it is bound through. */
    private record Binding(Resource<VirtualService> virtualService, Set<String> gateways) {
    }
}

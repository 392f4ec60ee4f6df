package dev.meshgate.core.networking.virtualservice;

import java.util.List;

import dev.meshgate.core.networking.Immutable;

/**
 * The spec of an Istio {@code VirtualService}: routing rules applied to traffic for {@code hosts}.
 *
 * @param hosts destination hosts the rules apply to: short names, FQDNs, {@code *.example.com}; required
 * @param gateways gateways ({@code [namespace/]name}) and/or the reserved {@code mesh}; absent means mesh only
 * @param http HTTP rules, first match wins
 * @param tls TLS/HTTPS passthrough rules
 * @param tcp opaque TCP rules
 * @param exportTo namespaces the VirtualService is visible in ({@code .} this one, {@code *} all)
 */
public record VirtualService(List<String> hosts, List<String> gateways, List<HttpRoute> http,
        List<TlsRoute> tls, List<TcpRoute> tcp, List<String> exportTo) {

    public VirtualService {
        hosts = Immutable.list(hosts);
        gateways = Immutable.list(gateways);
        http = Immutable.list(http);
        tls = Immutable.list(tls);
        tcp = Immutable.list(tcp);
        exportTo = Immutable.list(exportTo);
    }
}

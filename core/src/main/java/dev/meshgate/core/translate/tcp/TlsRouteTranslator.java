package dev.meshgate.core.translate.tcp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.meshgate.core.networking.virtualservice.TlsMatchAttributes;
import dev.meshgate.core.networking.virtualservice.TlsRoute;
import dev.meshgate.core.networking.virtualservice.VirtualService;
import dev.meshgate.core.resource.Resource;
import dev.meshgate.core.translate.http.RouteContext;
import dev.meshgate.core.view.TcpRouteSpec;

/**
 * Implements {@code VirtualService.spec.tls[]}: TLS passed through unterminated, routed by the ClientHello's server
 * name. {@code match[]}: {@code sniHosts} (checked per connection, wildcards {@code *.example.com}),
 * {@code destinationSubnets} (per connection), {@code port}, {@code sourceLabels}, {@code sourceNamespace},
 * {@code gateways} (decided for the proxy); {@code route[]} as for TCP ({@link TcpRouteTranslator}). All
 * sub-fields supported.
 */
public final class TlsRouteTranslator {

    private TlsRouteTranslator() {
    }

    /** The routes of {@code spec.tls[index]} of {@code vs}: one per match that applies to the proxy. */
    public static List<TcpRouteSpec> translate(Resource<VirtualService> vs, int index, RouteContext context) {
        TlsRoute tls = vs.spec().tls().get(index);
        String namespace = vs.metadata().namespace();
        String name = namespace + "." + vs.metadata().name() + ".tls." + index;
        List<TcpRouteSpec> out = new ArrayList<>();
        for (int m = 0; m < tls.match().size(); m++) {
            TlsMatchAttributes match = tls.match().get(m);
            if (!TcpRouteTranslator.applies(match.port(), match.sourceLabels(), match.sourceNamespace(),
                    match.gateways(), namespace, context)) {
                continue;
            }
            List<TcpRouteSpec.WeightedCluster> clusters = TcpRouteTranslator.destinations(tls.route(), namespace,
                    context);
            if (clusters.isEmpty() || match.sniHosts().isEmpty()) {
                continue; // validation requires both; an invalid rule routes nothing
            }
            List<String> sni = match.sniHosts().stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
            out.add(new TcpRouteSpec(tls.match().size() == 1 ? name : name + "." + m, sni,
                    match.destinationSubnets(), clusters));
        }
        return out;
    }
}

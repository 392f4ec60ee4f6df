package dev.meshgate.core.translate.http;

import java.util.ArrayList;
import java.util.List;

import dev.meshgate.core.networking.Destination;
import dev.meshgate.core.networking.virtualservice.HttpMirrorPolicy;
import dev.meshgate.core.networking.virtualservice.HttpRoute;
import dev.meshgate.core.translate.cluster.ClusterKey;
import dev.meshgate.core.view.MirrorSpec;

/**
 * Implements {@code VirtualService.spec.http[].mirror} with {@code mirrorPercentage} (or the legacy integer
 * {@code mirrorPercent}) and {@code mirrors[]} ({@code destination}, {@code percentage}), as Istio's
 * {@code MirrorPercent} and {@code TranslateRequestMirrorPolicy} do: without a percentage every request is
 * mirrored; a percentage of 0 mirrors nothing, and that mirror is left out. All sub-fields supported.
 *
 * <p>The mirror's cluster is named like a route destination's ({@code outbound|port|subset|fqdn}) and is added
 * to the view's clusters.
 */
public final class HttpMirrorPolicyTranslator {

    private static final double ALL = 100;

    private HttpMirrorPolicyTranslator() {
    }

    /** The mirrors of {@code http}, in order ({@code mirror} first); their clusters go to {@code context}. */
    public static List<MirrorSpec> translate(HttpRoute http, String virtualServiceNamespace, RouteContext context) {
        List<MirrorSpec> out = new ArrayList<>();
        if (http.mirror() != null) {
            double percentage = http.mirrorPercentage() != null
                    ? HttpFaultInjectionTranslator.value(http.mirrorPercentage())
                    : http.mirrorPercent() != null ? HttpFaultInjectionTranslator.clamp(http.mirrorPercent()) : ALL;
            add(out, http.mirror(), percentage, virtualServiceNamespace, context);
        }
        for (HttpMirrorPolicy mirror : http.mirrors()) {
            double percentage = mirror.percentage() == null ? ALL
                    : HttpFaultInjectionTranslator.value(mirror.percentage());
            add(out, mirror.destination(), percentage, virtualServiceNamespace, context);
        }
        return out;
    }

    private static void add(List<MirrorSpec> out, Destination destination, double percentage, String namespace,
            RouteContext context) {
        if (destination == null || destination.host() == null || destination.host().isBlank() || percentage <= 0) {
            return;
        }
        ClusterKey key = HttpRouteDestinationTranslator.clusterOf(destination, namespace, context);
        context.clusters().add(key);
        out.add(new MirrorSpec(key.name(), percentage));
    }
}

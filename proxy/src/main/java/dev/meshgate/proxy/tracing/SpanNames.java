package dev.meshgate.proxy.tracing;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.view.MatchSpec;
import dev.meshgate.core.view.RouteSpec;

/**
 * A route's span name, as pilot sets Envoy's route decorator: {@code <host>:<port><path>}, where host and port are
 * the destination service's when the route has one destination ({@code outbound|<port>|<subset>|<host>}), else the
 * VirtualService's name and the virtual host's port, and path is the first match's uri ({@code <prefix>*}, the
 * exact path or the regex), {@code /*} without one. A sidecar's inbound route is named after the workload's
 * service, {@code <host>:<port>/*}, from the inbound virtual host's name, or {@link #CALLED_HOST} when the sidecar
 * knows no service of its workload.
 */
public final class SpanNames {

    /** Route metadata: the route's span name. */
    public static final String METADATA_KEY = "meshgate.decorator";

    /** The span name of an inbound route whose workload has no known service: the Host the caller named. */
    public static final String CALLED_HOST = "";

    private SpanNames() {
    }

    /**
     * @param virtualHost the virtual host's name ({@code <host>:<port>})
     */
    public static String of(RouteSpec spec, String virtualHost) {
        String path = "/*";
        if (!spec.matches().isEmpty()) {
            MatchSpec.StringMatchSpec uri = spec.matches().get(0).uri();
            if (uri != null) {
                path = switch (uri.type()) {
                    case PREFIX -> uri.value() + "*";
                    case EXACT, REGEX -> uri.value();
                    case PRESENT -> "/*";
                };
            }
        }
        if (spec.route() != null && spec.route().clusters().size() == 1) {
            String cluster = spec.route().clusters().get(0).cluster();
            if (cluster.startsWith("inbound|")) {
                return virtualHost.indexOf(':') > 0 ? virtualHost + "/*" : CALLED_HOST;
            }
            if (cluster.equals("InboundPassthroughCluster")) {
                // a sniffed inbound connection to a port no service declares
                return CALLED_HOST;
            }
            String[] parts = cluster.split("\\|", -1);
            if (parts.length == 4 && parts[0].equals("outbound")) {
                return parts[3] + ":" + parts[1] + path;
            }
        }
        return vsName(spec.id()) + ":" + port(virtualHost) + path;
    }

    /** {@code <namespace>.<name>.<index>} gives name; a default route's id is kept whole. */
    private static String vsName(String id) {
        int first = id.indexOf('.');
        int last = id.lastIndexOf('.');
        return first > 0 && last > first ? id.substring(first + 1, last) : id;
    }

    private static @Nullable String port(String virtualHost) {
        int colon = virtualHost.lastIndexOf(':');
        return colon < 0 ? "80" : virtualHost.substring(colon + 1);
    }
}

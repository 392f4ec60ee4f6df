package dev.meshgate.controlplane.source.kubernetes;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The Istio protocol of a Kubernetes Service port, as Istio selects it (its "protocol selection" rules): UDP and
 * SCTP ports are what they say; otherwise {@code appProtocol} when set (with Kubernetes' standard names
 * {@code kubernetes.io/h2c} → HTTP2, {@code kubernetes.io/ws} → HTTP, {@code kubernetes.io/wss} → HTTPS), else the
 * port name, {@code <protocol>} or {@code <protocol>-<suffix>} ({@code grpc-web} before the prefix split). A name
 * that names no protocol leaves it undeclared (Istio sniffs it; meshgate's sidecars treat it as HTTP), except on
 * the well-known ports of non-HTTP servers (22, 25, 53, 3306, 27017), which are TCP.
 */
final class PortProtocol {

    private static final Map<String, String> NAMES = Map.ofEntries(Map.entry("tcp", "TCP"), Map.entry("udp", "UDP"),
            Map.entry("grpc", "GRPC"), Map.entry("grpc-web", "GRPC-WEB"), Map.entry("http", "HTTP"),
            Map.entry("http_proxy", "HTTP_PROXY"), Map.entry("http2", "HTTP2"), Map.entry("https", "HTTPS"),
            Map.entry("tls", "TLS"), Map.entry("mongo", "MONGO"), Map.entry("redis", "REDIS"),
            Map.entry("mysql", "MYSQL"));
    private static final Set<Integer> WELL_KNOWN_TCP_PORTS = Set.of(22, 25, 53, 3306, 27017);

    private PortProtocol() {
    }

    /**
     * The protocol, upper-case, or {@code ""} when the port declares none Istio knows.
     *
     * @param protocol the port's L4 protocol ({@code TCP} when null)
     */
    static String of(int port, @Nullable String name, @Nullable String protocol, @Nullable String appProtocol) {
        if ("UDP".equals(protocol)) {
            return "UDP";
        }
        if ("SCTP".equals(protocol)) {
            return "SCTP";
        }
        String selector = name == null ? "" : name;
        if (appProtocol != null && !appProtocol.isEmpty()) {
            switch (appProtocol) {
                case "kubernetes.io/h2c":
                    return "HTTP2";
                case "kubernetes.io/ws":
                    return "HTTP";
                case "kubernetes.io/wss":
                    return "HTTPS";
                default:
                    selector = appProtocol;
            }
        }
        String lower = selector.toLowerCase(Locale.ROOT);
        if (lower.startsWith("grpc-web")) {
            return "GRPC-WEB";
        }
        int dash = lower.indexOf('-');
        String prefix = dash < 0 ? lower : lower.substring(0, dash);
        String known = NAMES.get(prefix);
        if (known != null) {
            return known;
        }
        return WELL_KNOWN_TCP_PORTS.contains(port) ? "TCP" : "";
    }
}

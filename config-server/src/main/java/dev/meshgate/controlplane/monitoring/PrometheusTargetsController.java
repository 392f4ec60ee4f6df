package dev.meshgate.controlplane.monitoring;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.meshgate.controlplane.push.DiscoveryServer;
import dev.meshgate.controlplane.push.ProxyState;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Prometheus HTTP service discovery ({@code http_sd_configs}) of the mesh: one target group per connected proxy
 * that announced its admin address in its hello, scraped at Envoy's {@code /stats/prometheus}, and one for the
 * control plane itself at {@code /metrics}. A local Prometheus pointed here finds the whole mesh by itself, as
 * Istio's scrape configuration finds it through the Kubernetes API.
 */
@RestController
public class PrometheusTargetsController {

    public static final String PATH = "/v1/prometheus/targets";
    /** Where a proxy serves its metrics: Envoy's path, so that Istio's scrape configurations work. */
    public static final String PROXY_METRICS_PATH = "/stats/prometheus";
    public static final String CONTROL_PLANE_METRICS_PATH = "/metrics";
    /** The {@code app} and {@code kind} of the control plane's own target. */
    public static final String CONTROL_PLANE_APP = "meshgate-control-plane";

    private final DiscoveryServer server;

    public PrometheusTargetsController(DiscoveryServer server) {
        this.server = server;
    }

    /** One group of targets with their labels, in the {@code http_sd_configs} JSON format. */
    public record TargetGroup(List<String> targets, Map<String, String> labels) {
    }

    @GetMapping(PATH)
    public List<TargetGroup> targets(ServerHttpRequest request) {
        List<TargetGroup> groups = new ArrayList<>();
        InetSocketAddress local = request.getLocalAddress();
        if (local != null) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("__metrics_path__", CONTROL_PLANE_METRICS_PATH);
            labels.put("app", CONTROL_PLANE_APP);
            labels.put("kind", "control-plane");
            groups.add(new TargetGroup(List.of(hostPort(local)), labels));
        }
        for (ProxyState proxy : server.proxies()) {
            String admin = proxy.adminAddress();
            if (proxy.connected() && admin != null && !admin.isBlank()) {
                groups.add(new TargetGroup(List.of(admin), proxyLabels(proxy)));
            }
        }
        return groups;
    }

    private static Map<String, String> proxyLabels(ProxyState proxy) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("__metrics_path__", PROXY_METRICS_PATH);
        labels.put("namespace", proxy.identity().namespace());
        labels.put("pod", proxy.identity().name());
        labels.put("kind", proxy.identity().kind().name().toLowerCase(Locale.ROOT));
        String app = proxy.identity().labels().get("app");
        if (app != null) {
            labels.put("app", app);
        }
        String version = proxy.identity().labels().get("version");
        if (version != null) {
            labels.put("version", version);
        }
        return labels;
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}

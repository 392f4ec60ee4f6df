package dev.meshgate.proxy.admin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Istio's fixed proxy ports an injected pod relies on ({@code meshgate.proxy.probe-ports.*}): off by default, since
 * in local mode many proxies share one host; the injector turns them on.
 *
 * @param health the readiness port, {@code GET /healthz/ready} (pilot-agent's 15021); -1: off, 0: any free port
 * @param stats the metrics port, {@code GET /stats/prometheus} (Envoy's 15090); -1: off, 0: any free port
 * @param address the address both bind (0.0.0.0 in a pod: the kubelet and Prometheus dial the pod's IP)
 */
@ConfigurationProperties("meshgate.proxy.probe-ports")
public record ProbePortsProperties(@DefaultValue("-1") int health, @DefaultValue("-1") int stats,
        @DefaultValue("127.0.0.1") String address) {

    public ProbePortsProperties {
        check("health", health);
        check("stats", stats);
    }

    private static void check(String name, int port) {
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("meshgate.proxy.probe-ports." + name + ": " + port
                    + " (expected: -1 (off), 0 (any free port) or 1-65535)");
        }
    }
}

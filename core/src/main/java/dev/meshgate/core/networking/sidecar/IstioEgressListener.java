package dev.meshgate.core.networking.sidecar;

import java.util.List;

import dev.meshgate.core.networking.Immutable;
import dev.meshgate.core.networking.Port;

import org.jspecify.annotations.Nullable;

/**
 * Istio's {@code IstioEgressListener}: the hosts reachable from the workload (on a port, or on all ports).
 *
 * @param hosts required: {@code namespace/dnsName}, either part may be {@code *}, {@code .} or {@code ~}
 */
public record IstioEgressListener(@Nullable Port port, @Nullable String bind, @Nullable CaptureMode captureMode,
        List<String> hosts) {

    public IstioEgressListener {
        hosts = Immutable.list(hosts);
    }
}

package dev.meshgate.core.networking.sidecar;

import dev.meshgate.core.networking.Port;
import dev.meshgate.core.networking.destinationrule.ConnectionPoolSettings;
import dev.meshgate.core.networking.gateway.ServerTlsSettings;

import org.jspecify.annotations.Nullable;

/** Istio's {@code IstioIngressListener}: a port of the workload the proxy accepts traffic for. */
public record IstioIngressListener(@Nullable Port port, @Nullable String bind, @Nullable CaptureMode captureMode,
        @Nullable String defaultEndpoint, @Nullable ServerTlsSettings tls,
        @Nullable ConnectionPoolSettings connectionPool) {
}

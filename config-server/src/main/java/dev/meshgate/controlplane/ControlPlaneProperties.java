package dev.meshgate.controlplane;

import java.nio.file.Path;
import java.time.Duration;

import dev.meshgate.core.index.MeshSettings;
import dev.meshgate.core.view.ProxyView.OutboundTrafficPolicy;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The control plane's settings, {@code meshgate.control-plane.*} (docs/protocol.md).
 *
 * @param configDir directory of Istio YAML/JSON, read recursively and watched; required
 * @param port HTTP port of the discovery stream and the debug endpoints ({@code server.port} follows it)
 * @param debounceAfter quiet period after a change before a push (istiod's PILOT_DEBOUNCE_AFTER)
 * @param debounceMax longest a burst of changes delays a push (istiod's PILOT_DEBOUNCE_MAX)
 * @param domainSuffix appended to {@code name.namespace}
 * @param outboundTrafficPolicy what sidecars do with hosts no service matches, unless the MeshConfig sets it
 * @param meshConfig Istio's MeshConfig (a MeshConfig YAML document, or the {@code istio} ConfigMap with it in
 *     {@code data.mesh}), watched; what it sets overrides these properties. Optional
 */
@ConfigurationProperties("meshgate.control-plane")
public record ControlPlaneProperties(
        @Nullable Path configDir,
        @DefaultValue("15010") int port,
        @DefaultValue("100ms") Duration debounceAfter,
        @DefaultValue("1s") Duration debounceMax,
        @DefaultValue("svc.cluster.local") String domainSuffix,
        @DefaultValue("ALLOW_ANY") OutboundTrafficPolicy outboundTrafficPolicy,
        @Nullable Path meshConfig) {

    public ControlPlaneProperties {
        if (debounceAfter.isNegative() || debounceAfter.isZero()) {
            throw new IllegalArgumentException("meshgate.control-plane.debounce-after: " + debounceAfter
                    + " (expected: > 0)");
        }
        if (debounceMax.compareTo(debounceAfter) < 0) {
            throw new IllegalArgumentException("meshgate.control-plane.debounce-max: " + debounceMax
                    + " (expected: >= debounce-after " + debounceAfter + ")");
        }
    }

    /** The mesh-wide settings the properties give: the defaults that a MeshConfig file overrides. */
    public MeshSettings meshSettings() {
        return new MeshSettings(domainSuffix, outboundTrafficPolicy, MeshSettings.DEFAULT.rootNamespace());
    }
}

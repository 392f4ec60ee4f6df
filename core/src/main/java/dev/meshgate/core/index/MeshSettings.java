package dev.meshgate.core.index;

import dev.meshgate.core.view.ProxyView.OutboundTrafficPolicy;

/**
 * The mesh-wide settings Istio keeps in MeshConfig.
 *
 * @param domainSuffix appended to {@code name.namespace}: {@code svc.cluster.local}
 * @param outboundTrafficPolicy {@code outboundTrafficPolicy.mode}
 * @param rootNamespace where mesh-wide resources live: {@code istio-system}
 */
public record MeshSettings(String domainSuffix, OutboundTrafficPolicy outboundTrafficPolicy, String rootNamespace) {

    public static final MeshSettings DEFAULT =
            new MeshSettings("svc.cluster.local", OutboundTrafficPolicy.ALLOW_ANY, "istio-system");
}

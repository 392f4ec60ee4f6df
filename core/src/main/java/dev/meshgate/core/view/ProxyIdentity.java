package dev.meshgate.core.view;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Who a proxy is, as it tells the control plane when it connects. Translation depends on it: the namespace
 * decides visibility and short-name resolution, the labels decide {@code sourceLabels} matches, Gateway
 * {@code selector}s and later workload selectors of security policies.
 *
 * @param name unique within the mesh, e.g. {@code web-v1-1}
 * @param namespace the workload's namespace ({@code default} when not given)
 * @param kind sidecar or gateway
 * @param labels the workload's labels ({@code app}, {@code version}, {@code istio: ingressgateway} ...)
 * @param serviceAccount the workload's service account, the basis of its SPIFFE identity later
 */
public record ProxyIdentity(String name, String namespace, ProxyKind kind, Map<String, String> labels,
        @Nullable String serviceAccount) {

    public ProxyIdentity {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    /** {@code name.namespace}: the key the control plane tracks the proxy under. */
    public String id() {
        return name + "." + namespace;
    }
}

package dev.meshgate.core.view;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.meshgate.core.registry.Locality;

import com.fasterxml.jackson.annotation.JsonInclude;

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
 * @param locality where the proxy runs, {@code region/zone/subzone} ({@code meshgate.proxy.locality}, Istio's
 *     {@code istio-locality} label or the topology labels); decides the locality priorities and weights of the
 *     endpoints in its view. Null when unknown
 */
public record ProxyIdentity(String name, String namespace, ProxyKind kind, Map<String, String> labels,
        @Nullable String serviceAccount, @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String locality) {

    public ProxyIdentity {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        locality = locality == null || locality.isBlank() ? null : locality.trim();
    }

    /** A proxy whose locality is not configured (its labels may still carry one). */
    public ProxyIdentity(String name, String namespace, ProxyKind kind, Map<String, String> labels,
            @Nullable String serviceAccount) {
        this(name, namespace, kind, labels, serviceAccount, null);
    }

    /** This proxy's locality: the configured one, else from its labels ({@code istio-locality}, topology labels). */
    public Locality localityOrLabels() {
        return Locality.of(locality, labels);
    }

    /** {@code name.namespace}: the key the control plane tracks the proxy under. */
    public String id() {
        return name + "." + namespace;
    }
}
